using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Routing.Ctl.Protocol;

/// <summary>
/// The command port's wire format: each frame is a 4-byte big-endian length followed by that many bytes of UTF-8
/// JSON (one object with a "type"). Both sides use it; a frame over <see cref="MaxFrameBytes"/> is refused, so a
/// stray client (or a port scanner talking HTTP) gets a clear error instead of an allocation of gigabytes.
/// </summary>
public static class Frames
{
    public const int MaxFrameBytes = 8 * 1024 * 1024;

    public static async Task WriteAsync(Stream stream, JsonObject frame, CancellationToken ct = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(frame);
        if (body.Length > MaxFrameBytes) throw new ProtocolException($"frame of {body.Length} bytes is over the limit of {MaxFrameBytes}");
        var buffer = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(buffer, body.Length);
        body.CopyTo(buffer, 4);
        await stream.WriteAsync(buffer, ct);
        await stream.FlushAsync(ct);
    }

    /// <summary>The next frame, or null when the peer closed the connection cleanly between frames.</summary>
    public static async Task<JsonObject?> ReadAsync(Stream stream, CancellationToken ct = default)
    {
        var header = new byte[4];
        if (!await ReadExactly(stream, header, ct)) return null;
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 2 or > MaxFrameBytes)
            throw new ProtocolException(length > MaxFrameBytes || length < 0
                ? $"frame length {length} is not allowed (at most {MaxFrameBytes}); is this a routingctl peer?"
                : $"frame length {length} is too short");
        var body = new byte[length];
        if (!await ReadExactly(stream, body, ct)) throw new ProtocolException("the connection closed in the middle of a frame");
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new ProtocolException("a frame is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ProtocolException($"a frame is not valid JSON: {e.Message}");
        }
    }

    private static async Task<bool> ReadExactly(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                if (read == 0) return false;
                throw new ProtocolException("the connection closed in the middle of a frame");
            }
            read += n;
        }
        return true;
    }

    public static string TypeOf(JsonObject frame) => frame["type"]?.GetValue<string>() ?? "";
}

/// <summary>The peer broke the framing rules (not a routingctl peer, or a truncated frame).</summary>
public sealed class ProtocolException(string message) : Exception(message);

/// <summary>Frame builders: what the client and the command host say to each other.</summary>
public static class Frame
{
    public const int Version = 1;

    /// <summary>Client → host, first frame: the shared key.</summary>
    public static JsonObject Hello(string key, string client) => new() { ["type"] = "hello", ["version"] = Version, ["key"] = key, ["client"] = client };

    /// <summary>Host → client after a good hello.</summary>
    public static JsonObject Welcome(string node, IEnumerable<string> roles) =>
        new() { ["type"] = "welcome", ["version"] = Version, ["node"] = node, ["roles"] = new JsonArray([.. roles.Select(r => (JsonNode)r)]) };

    /// <summary>Client → host: run one command line (already split into words).</summary>
    public static JsonObject Run(int id, IReadOnlyList<string> args) =>
        new() { ["type"] = "run", ["id"] = id, ["args"] = new JsonArray([.. args.Select(a => (JsonNode)a)]) };

    /// <summary>Client → host: stop a streaming command (cluster tail).</summary>
    public static JsonObject Cancel(int id) => new() { ["type"] = "cancel", ["id"] = id };

    /// <summary>Host → client: a table (rendered by the client, or printed as JSON rows).</summary>
    public static JsonObject Table(int id, string title, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string?>> rows) => new()
    {
        ["type"] = "table",
        ["id"] = id,
        ["title"] = title,
        ["columns"] = new JsonArray([.. columns.Select(c => (JsonNode)c)]),
        ["rows"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonArray([.. r.Select(v => (JsonNode?)v)]))]),
    };

    /// <summary>Host → client: lines of text.</summary>
    public static JsonObject Text(int id, params string[] lines) =>
        new() { ["type"] = "text", ["id"] = id, ["lines"] = new JsonArray([.. lines.Select(l => (JsonNode)l)]) };

    /// <summary>Host → client: one event of a stream (cluster tail).</summary>
    public static JsonObject Event(int id, string line, JsonObject data) => new() { ["type"] = "event", ["id"] = id, ["line"] = line, ["data"] = data };

    /// <summary>Host → client: the command is over (with an error message when it failed).</summary>
    public static JsonObject Done(int id, string? error = null) => error is null
        ? new() { ["type"] = "done", ["id"] = id, ["ok"] = true }
        : new() { ["type"] = "done", ["id"] = id, ["ok"] = false, ["error"] = error };

    /// <summary>Host → client before closing: the connection is refused (bad key, bad protocol).</summary>
    public static JsonObject Refused(string code, string message) => new() { ["type"] = "refused", ["code"] = code, ["message"] = message };
}
