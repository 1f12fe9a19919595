using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;
using Routing.Cluster.Facade;
using Routing.Ctl.Protocol;

namespace Routing.Node.Ops;

/// <summary>
/// The node's command port (9110 by default, as pbm's): `routingctl` connects, proves it holds the shared key, and runs
/// commands (<see cref="CommandCatalogue"/>) one frame at a time; a streaming command (cluster tail) runs until the
/// client sends cancel or closes. Every command runs against this node's ActorSystem, so its view of the cluster is
/// this node's view. A connection that does not say hello within 10 s, or says it with the wrong key, is closed.
/// </summary>
public sealed class CommandHost : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly byte[] _key;
    private readonly ActorSystem _system;
    private readonly CommandDispatcher _dispatcher;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly HashSet<TcpClient> _clients = [];
    private readonly HashSet<Task> _commands = [];
    private readonly CancellationTokenSource _streams = new();

    public CommandHost(IPAddress bind, int port, string key, ActorSystem system, IRoutingService routing)
    {
        if (string.IsNullOrEmpty(key)) throw new ArgumentException("the command port needs a key", nameof(key));
        _key = Encoding.UTF8.GetBytes(key);
        _system = system;
        _dispatcher = new CommandDispatcher(system, routing);
        _listener = new TcpListener(bind, port);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = AcceptLoop();
    }

    public IPEndPoint EndPoint { get; }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            lock (_clients) _clients.Add(client);
            _ = Serve(client);
        }
    }

    private async Task Serve(TcpClient client)
    {
        var writeLock = new SemaphoreSlim(1, 1);
        var running = new Dictionary<int, CancellationTokenSource>();
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        try
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            async Task Send(JsonObject frame)
            {
                await writeLock.WaitAsync(connection.Token);
                try
                {
                    await Frames.WriteAsync(stream, frame, connection.Token);
                }
                finally
                {
                    writeLock.Release();
                }
            }

            JsonObject? hello;
            using (var helloTimeout = CancellationTokenSource.CreateLinkedTokenSource(connection.Token))
            {
                helloTimeout.CancelAfter(TimeSpan.FromSeconds(10));
                hello = await Frames.ReadAsync(stream, helloTimeout.Token);
            }
            if (hello is null || Frames.TypeOf(hello) != "hello")
            {
                await Send(Frame.Refused("protocol", "the first frame must be hello"));
                return;
            }
            var given = Encoding.UTF8.GetBytes(hello["key"]?.GetValue<string>() ?? "");
            if (!CryptographicOperations.FixedTimeEquals(given, _key))
            {
                await Send(Frame.Refused("unauthorized", "the key is not this node's command key (routingctl --key or ROUTING_CTL_KEY)"));
                return;
            }
            var cluster = Akka.Cluster.Cluster.Get(_system);
            await Send(Frame.Welcome(cluster.SelfAddress.ToString(), cluster.SelfRoles));

            while (await Frames.ReadAsync(stream, connection.Token) is { } frame)
            {
                var id = frame["id"]?.GetValue<int>() ?? 0;
                switch (Frames.TypeOf(frame))
                {
                    case "run":
                        var args = frame["args"]?.AsArray().Select(a => a?.GetValue<string>() ?? "").ToList() ?? [];
                        // A stream (cluster tail) ends when the node stops; other commands may finish first (a
                        // `cluster leave` of this very node reports the hand-off before the connection closes).
                        var cts = CancellationTokenSource.CreateLinkedTokenSource(_streams.Token, connection.Token);
                        lock (running) running[id] = cts;
                        var command = Task.Run(async () =>
                        {
                            string? error = null;
                            try
                            {
                                await _dispatcher.Run(args, new FrameOutput(id, Send), cts.Token);
                            }
                            catch (OperationCanceledException) when (cts.IsCancellationRequested)
                            {
                                // cancelled by the client (end of a tail) or the connection closed
                            }
                            catch (Exception e) when (e is CommandLineException or CommandFailedException or RoutingException)
                            {
                                error = e.Message;
                            }
                            catch (Exception e)
                            {
                                error = $"the command failed on the node: {e.GetType().Name}: {e.Message}";
                            }
                            lock (running) running.Remove(id);
                            cts.Dispose();
                            try
                            {
                                await Send(Frame.Done(id, error));
                            }
                            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
                            {
                                // the client is gone
                            }
                        });
                        lock (_commands) _commands.Add(command);
                        _ = command.ContinueWith(t =>
                        {
                            lock (_commands) _commands.Remove(t);
                        }, TaskScheduler.Default);
                        break;
                    case "cancel":
                        lock (running)
                            if (running.TryGetValue(id, out var c)) c.Cancel();
                        break;
                    default:
                        await Send(Frame.Done(id, $"unknown frame type '{Frames.TypeOf(frame)}'"));
                        break;
                }
            }
        }
        catch (ProtocolException e)
        {
            try
            {
                await Frames.WriteAsync(client.GetStream(), Frame.Refused("protocol", e.Message), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1));
            }
            catch (Exception)
            {
                // best effort: the peer is not speaking our protocol
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // the client closed, or the node is stopping
        }
        finally
        {
            connection.Cancel();
            lock (running)
                foreach (var c in running.Values) c.Cancel();
            lock (_clients) _clients.Remove(client);
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _streams.Cancel();
        Task[] commands;
        lock (_commands) commands = [.. _commands];
        try
        {
            await Task.WhenAll(commands).WaitAsync(TimeSpan.FromSeconds(3));
        }
        catch (TimeoutException)
        {
            // a command still waiting on the cluster is cut off
        }
        _stop.Cancel();
        lock (_clients)
            foreach (var c in _clients) c.Dispose();
        await _accepting;
    }

    private sealed class FrameOutput(int id, Func<JsonObject, Task> send) : ICommandOutput
    {
        public Task Table(string title, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string?>> rows) => send(Frame.Table(id, title, columns, rows));

        public Task Text(params string[] lines) => send(Frame.Text(id, lines));

        public Task Event(string line, JsonObject data) => send(Frame.Event(id, line, data));
    }
}
