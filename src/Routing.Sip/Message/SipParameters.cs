using System.Collections;
using System.Text;

namespace Routing.Sip.Message;

/// <summary>One <c>name[=value]</c> parameter, kept exactly as written (quotes and %-escapes included).</summary>
public readonly record struct SipParameter(string Name, string? Value);

/// <summary>An ordered list of parameters with case-insensitive names, for header, URI and URI-header parameters.</summary>
public sealed class SipParameters : IReadOnlyList<SipParameter>
{
    private List<SipParameter>? _items;

    public int Count => _items?.Count ?? 0;

    public SipParameter this[int index] => _items is null ? throw new ArgumentOutOfRangeException(nameof(index)) : _items[index];

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value as written (null when the parameter is absent or has no value).</summary>
    public string? Get(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : _items![i].Value;
    }

    public bool TryGet(string name, out string? value)
    {
        var i = IndexOf(name);
        value = i < 0 ? null : _items![i].Value;
        return i >= 0;
    }

    /// <summary>The value with surrounding quotes removed and quoted-pairs resolved.</summary>
    public string? GetUnquoted(string name) => Unquote(Get(name));

    /// <summary>Replaces the first parameter of that name, or appends one.</summary>
    public void Set(string name, string? value)
    {
        var i = IndexOf(name);
        if (i >= 0) _items![i] = new SipParameter(_items[i].Name, value);
        else Add(name, value);
    }

    public void Add(string name, string? value) => (_items ??= new List<SipParameter>(2)).Add(new SipParameter(name, value));

    public bool Remove(string name)
    {
        var i = IndexOf(name);
        if (i < 0) return false;
        _items!.RemoveAt(i);
        return true;
    }

    public int IndexOf(string name)
    {
        if (_items is null) return -1;
        for (var i = 0; i < _items.Count; i++)
            if (string.Equals(_items[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    public SipParameters Clone()
    {
        var copy = new SipParameters();
        if (_items is not null) copy._items = new List<SipParameter>(_items);
        return copy;
    }

    /// <summary>Writes each parameter preceded by <paramref name="separator"/> (first one included).</summary>
    public void WriteTo(StringBuilder sb, char separator = ';')
    {
        if (_items is null) return;
        foreach (var p in _items)
        {
            sb.Append(separator).Append(p.Name);
            if (p.Value is not null) sb.Append('=').Append(p.Value);
        }
    }

    public IEnumerator<SipParameter> GetEnumerator() => (_items ?? []).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static string? Unquote(string? value)
    {
        if (value is null || value.Length < 2 || value[0] != '"' || value[^1] != '"') return value;
        var inner = value.AsSpan(1, value.Length - 2);
        if (inner.IndexOf('\\') < 0) return inner.ToString();
        var sb = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length) i++;
            sb.Append(inner[i]);
        }
        return sb.ToString();
    }

    internal static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            // CR and LF cannot be carried even as quoted-pairs; other control characters can.
            if (c is '\r' or '\n') { sb.Append(' '); continue; }
            if (c is '"' or '\\' || (c < ' ' && c != '\t') || c == '\x7f') sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}
