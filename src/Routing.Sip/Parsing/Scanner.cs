using Routing.Sip.Message;

namespace Routing.Sip.Parsing;

/// <summary>A cursor over a header value with the small lexical steps of RFC 3261 §25.1.</summary>
internal ref struct Scanner(ReadOnlySpan<char> text)
{
    private readonly ReadOnlySpan<char> _text = text;

    public int Position { get; set; }

    public readonly bool End => Position >= _text.Length;
    public readonly char Peek => Position < _text.Length ? _text[Position] : '\0';
    public readonly ReadOnlySpan<char> Rest => _text[Position..];
    public readonly ReadOnlySpan<char> Text => _text;

    /// <summary>Skips SP/HT; returns whether anything was skipped.</summary>
    public bool SkipWs()
    {
        var start = Position;
        while (Position < _text.Length && SipChars.IsWhitespace(_text[Position])) Position++;
        return Position > start;
    }

    public bool Eat(char c)
    {
        if (Position < _text.Length && _text[Position] == c)
        {
            Position++;
            return true;
        }
        return false;
    }

    public ReadOnlySpan<char> ReadToken()
    {
        var start = Position;
        while (Position < _text.Length && SipChars.IsToken(_text[Position])) Position++;
        return _text[start..Position];
    }

    public ReadOnlySpan<char> ReadDigits()
    {
        var start = Position;
        while (Position < _text.Length && SipChars.IsDigit(_text[Position])) Position++;
        return _text[start..Position];
    }

    /// <summary>gen-value characters other than quoted-string: token plus the host characters of IPv6 references.</summary>
    public ReadOnlySpan<char> ReadGenValue()
    {
        var start = Position;
        while (Position < _text.Length && (SipChars.IsToken(_text[Position]) || _text[Position] is ':' or '[' or ']')) Position++;
        return _text[start..Position];
    }

    /// <summary>Reads a quoted-string including its quotes; false when it is not terminated.</summary>
    public bool TryReadQuoted(out ReadOnlySpan<char> quoted)
    {
        quoted = default;
        var start = Position;
        if (!Eat('"')) return false;
        while (Position < _text.Length)
        {
            var c = _text[Position++];
            if (c == '\\')
            {
                if (Position >= _text.Length) return false;
                Position++;
            }
            else if (c == '"')
            {
                quoted = _text[start..Position];
                return true;
            }
        }
        Position = start;
        return false;
    }

    /// <summary>Parses <c>*( SEMI generic-param )</c> up to the end of the text; false on junk, an empty name or an empty value.</summary>
    public bool TryReadParameters(SipParameters target)
    {
        while (true)
        {
            SkipWs();
            if (End) return true;
            if (!Eat(';')) return false;
            SkipWs();
            var name = ReadToken();
            if (name.IsEmpty) return false;
            SkipWs();
            string? value = null;
            if (Eat('='))
            {
                SkipWs();
                ReadOnlySpan<char> v;
                if (Peek == '"')
                {
                    if (!TryReadQuoted(out v)) return false;
                }
                else
                {
                    v = ReadGenValue();
                    if (v.IsEmpty) return false;
                }
                value = v.ToString();
            }
            target.Add(name.ToString(), value);
        }
    }
}
