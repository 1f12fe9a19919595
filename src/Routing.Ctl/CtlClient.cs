using System.Net.Sockets;
using System.Text.Json.Nodes;
using Routing.Ctl.Protocol;

namespace Routing.Ctl;

/// <summary>Could not talk to the node at all (unreachable, refused key, not a command port): exit code 3.</summary>
public sealed class CtlConnectException(string message) : Exception(message);

/// <summary>One authenticated connection to a node's command host.</summary>
public sealed class CtlClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private int _nextId;

    private CtlClient(TcpClient tcp, string node, IReadOnlyList<string> roles)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        Node = node;
        Roles = roles;
    }

    /// <summary>The node's cluster address, as it introduced itself.</summary>
    public string Node { get; }

    public IReadOnlyList<string> Roles { get; }

    public static async Task<CtlClient> ConnectAsync(string host, int port, string key, TimeSpan timeout, CancellationToken ct = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await tcp.ConnectAsync(host, port, limit.Token);
            var stream = tcp.GetStream();
            await Frames.WriteAsync(stream, Frame.Hello(key, "routingctl/1"), limit.Token);
            var reply = await Frames.ReadAsync(stream, limit.Token)
                ?? throw new CtlConnectException($"{host}:{port} closed the connection without answering: is this a Routing command port?");
            switch (Frames.TypeOf(reply))
            {
                case "welcome":
                    return new CtlClient(tcp, reply["node"]?.GetValue<string>() ?? "?",
                        reply["roles"]?.AsArray().Select(r => r?.GetValue<string>() ?? "").ToList() ?? []);
                case "refused" when reply["code"]?.GetValue<string>() == "unauthorized":
                    throw new CtlConnectException($"{host}:{port} refused the key: {reply["message"]?.GetValue<string>()}");
                case "refused":
                    throw new CtlConnectException($"{host}:{port} refused the connection: {reply["message"]?.GetValue<string>()}");
                default:
                    throw new CtlConnectException($"{host}:{port} answered '{Frames.TypeOf(reply)}' instead of welcome: is this a Routing command port?");
            }
        }
        catch (SocketException e)
        {
            tcp.Dispose();
            throw new CtlConnectException($"cannot connect to {host}:{port}: {e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused (is a Routing node running there, with its command port --ctl-port open?)",
                SocketError.HostNotFound or SocketError.NoData => "unknown host",
                _ => e.Message,
            }}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            tcp.Dispose();
            throw new CtlConnectException($"cannot connect to {host}:{port}: no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (ProtocolException e)
        {
            tcp.Dispose();
            throw new CtlConnectException($"{host}:{port} does not speak the routingctl protocol: {e.Message}");
        }
        catch (IOException e)
        {
            tcp.Dispose();
            throw new CtlConnectException($"{host}:{port} closed the connection: {e.Message}");
        }
        catch (CtlConnectException)
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs one command: every frame the node sends for it goes to <paramref name="onFrame"/>; returns the node's error
    /// message, or null when it succeeded. Cancelling <paramref name="ct"/> asks the node to stop (the end of a tail)
    /// and still waits for its done frame.
    /// </summary>
    public async Task<string?> RunAsync(IReadOnlyList<string> words, Func<JsonObject, Task> onFrame, CancellationToken ct = default)
    {
        var id = Interlocked.Increment(ref _nextId);
        await Frames.WriteAsync(_stream, Frame.Run(id, words), CancellationToken.None);
        using var cancel = ct.Register(() => _ = Frames.WriteAsync(_stream, Frame.Cancel(id), CancellationToken.None));
        while (true)
        {
            JsonObject? frame;
            try
            {
                frame = await Frames.ReadAsync(_stream, CancellationToken.None);
            }
            catch (IOException e)
            {
                throw new CtlConnectException($"the node closed the connection: {e.Message}");
            }
            if (frame is null) throw new CtlConnectException("the node closed the connection before the command finished");
            if (frame["id"]?.GetValue<int>() != id) continue;
            if (Frames.TypeOf(frame) == "done")
                return frame["ok"]?.GetValue<bool>() == true ? null : frame["error"]?.GetValue<string>() ?? "the command failed";
            await onFrame(frame);
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
