using System.Globalization;
using System.Text;

namespace Routing.Sip.Tests.Torture;

/// <summary>Loads the RFC 4475 messages from Torture/rfc4475.txt (RFC 4475 §2.2 hex notation, CRLF implied per line).</summary>
public static class TortureCorpus
{
    public sealed record Entry(string Name, string Section, byte[] Bytes, int DeclaredLength);

    private static readonly Lazy<IReadOnlyDictionary<string, Entry>> Entries = new(Load);

    public static IReadOnlyDictionary<string, Entry> All => Entries.Value;

    public static byte[] Get(string name) => All[name].Bytes;

    private static IReadOnlyDictionary<string, Entry> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Torture", "rfc4475.txt");
        var result = new Dictionary<string, Entry>();
        string? name = null, section = null;
        var declared = 0;
        var buffer = new List<byte>();
        foreach (var line in File.ReadAllLines(path, Encoding.ASCII))
        {
            if (line.StartsWith('#')) continue;
            if (line.StartsWith("=== ", StringComparison.Ordinal))
            {
                if (name is not null) result[name] = new Entry(name, section!, buffer.ToArray(), declared);
                buffer.Clear();
                var parts = line.Split(' ');
                name = parts[1] == "end" ? null : parts[1];
                if (name is not null)
                {
                    section = parts[2];
                    declared = int.Parse(parts[3], CultureInfo.InvariantCulture);
                }
                continue;
            }
            if (name is null) continue;
            Decode(line, buffer);
            buffer.Add((byte)'\r');
            buffer.Add((byte)'\n');
        }
        return result;
    }

    private static void Decode(string line, List<byte> output)
    {
        var i = 0;
        while (i < line.Length)
        {
            if (string.CompareOrdinal(line, i, "<hex>", 0, 5) == 0)
            {
                var end = line.IndexOf("</hex>", i, StringComparison.Ordinal);
                output.AddRange(Convert.FromHexString(line.AsSpan(i + 5, end - i - 5)));
                i = end + 6;
            }
            else output.Add((byte)line[i++]);
        }
    }
}
