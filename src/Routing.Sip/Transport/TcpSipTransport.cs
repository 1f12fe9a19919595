using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Routing.Sip.Message;
using Routing.Sip.Parsing;

namespace Routing.Sip.Transport;

/// <summary>
/// SIP over TCP (RFC 3261 §18): a listener plus outbound connections, each framed by a <see cref="SipStreamFramer"/>.
/// Connections are kept in a table by remote endpoint, so <see cref="Send"/> to a phone that registered over TCP
/// reuses the connection its REGISTER came in on (the only way back through its NAT); without one it connects.
/// A double-CRLF ping is answered with CRLF (RFC 5626 §3.5.1); a stream that cannot be framed gets its error
/// answered when possible and the connection closed; idle connections are closed after <see cref="IdleTimeout"/>.
/// Events are raised on the connection's read loop.
/// </summary>
public sealed class TcpSipTransport : ISipTransport, IDisposable
{
    private static readonly byte[] Pong = "\r\n"u8.ToArray();
    private readonly Socket _listener;
    private readonly SipParserOptions _parserOptions;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<IPEndPoint, Connection> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _connectTimeout;
    private ITimer? _idleTimer;
    private int _started;
    private int _disposed;
    private long _messagesReceived;
    private long _messagesRejected;
    private long _messagesSent;
    private long _connectionsAccepted;
    private long _connectionsOpened;
    private long _keepAlivesReceived;

    public TcpSipTransport(IPEndPoint bind, IPAddress? advertisedAddress = null, TimeSpan? idleTimeout = null,
        SipParserOptions? parserOptions = null, TimeProvider? time = null, TimeSpan? connectTimeout = null)
    {
        _parserOptions = parserOptions ?? SipParserOptions.Default;
        _time = time ?? TimeProvider.System;
        _connectTimeout = connectTimeout ?? TimeSpan.FromSeconds(5);
        IdleTimeout = idleTimeout ?? TimeSpan.FromMinutes(15);
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(bind);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        var bound = LocalEndPoint.Address;
        AdvertisedAddress = advertisedAddress ?? (bound.Equals(IPAddress.Any) ? IPAddress.Loopback
            : bound.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : bound);
        AdvertisedEndPoint = new IPEndPoint(AdvertisedAddress, LocalEndPoint.Port);
    }

    public string Protocol => "TCP";
    public bool IsReliable => true;
    public IPEndPoint LocalEndPoint { get; }
    public IPAddress AdvertisedAddress { get; }
    public IPEndPoint AdvertisedEndPoint { get; }
    public TimeSpan IdleTimeout { get; }

    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);
    public long MessagesRejected => Interlocked.Read(ref _messagesRejected);
    public long MessagesSent => Interlocked.Read(ref _messagesSent);
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);
    public long KeepAlivesReceived => Interlocked.Read(ref _keepAlivesReceived);
    public int ConnectionCount => _connections.Count;

    /// <summary>True when a connection to (or from) that endpoint is open.</summary>
    public bool HasConnection(IPEndPoint remote) => _connections.ContainsKey(remote);

    public event Action<SipMessage, IPEndPoint>? MessageReceived;
    public event Action<SipParseError, IPEndPoint>? MessageRejected;
    /// <summary>A subscriber threw; the connection goes on with the next message.</summary>
    public event Action<Exception>? HandlerFailed;

    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("The transport is already started");
        _listener.Listen(512);
        var period = IdleTimeout / 4 > TimeSpan.FromMilliseconds(10) ? IdleTimeout / 4 : TimeSpan.FromMilliseconds(10);
        _idleTimer = _time.CreateTimer(_ => CloseIdle(), null, period, period);
        _ = Task.Run(AcceptLoop);
    }

    public bool Send(SipMessage message, IPEndPoint destination)
    {
        if (_disposed != 0) return false;
        var connection = _connections.TryGetValue(destination, out var existing) ? existing : Connect(destination);
        if (connection is null) return false;
        if (!connection.Write(message.ToBytes())) return false;
        Interlocked.Increment(ref _messagesSent);
        return true;
    }

    private Connection? Connect(IPEndPoint destination)
    {
        if (destination.AddressFamily != _listener.AddressFamily) return null;
        var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(_connectTimeout);
            socket.ConnectAsync(destination, timeout.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Dispose();
            return null;
        }
        Interlocked.Increment(ref _connectionsOpened);
        var connection = new Connection(this, socket, destination);
        if (!_connections.TryAdd(destination, connection))
        {
            // Another thread connected at the same time: use its connection.
            connection.Close();
            return _connections.TryGetValue(destination, out var other) ? other : null;
        }
        _ = Task.Run(connection.ReadLoop);
        return connection;
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (SocketException) when (_disposed == 0)
            {
                continue; // a connection reset before it was accepted
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            socket.NoDelay = true;
            var remote = (IPEndPoint)socket.RemoteEndPoint!;
            Interlocked.Increment(ref _connectionsAccepted);
            var connection = new Connection(this, socket, remote);
            if (_connections.TryRemove(remote, out var stale)) stale.Close();
            _connections[remote] = connection;
            _ = Task.Run(connection.ReadLoop);
        }
    }

    private void CloseIdle()
    {
        var now = _time.GetUtcNow();
        foreach (var connection in _connections.Values)
            if (now - connection.LastActivity >= IdleTimeout) connection.Close();
    }

    private void Forget(Connection connection) =>
        _connections.TryRemove(new KeyValuePair<IPEndPoint, Connection>(connection.Remote, connection));

    private void Raise(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            HandlerFailed?.Invoke(ex);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _idleTimer?.Dispose();
        _listener.Dispose();
        foreach (var connection in _connections.Values) connection.Close();
        _connections.Clear();
    }

    private sealed class Connection(TcpSipTransport owner, Socket socket, IPEndPoint remote)
    {
        private readonly Lock _writeGate = new();
        private readonly SipStreamFramer _framer = new(owner._parserOptions);
        private int _closed;
        private long _lastActivityTicks = owner._time.GetUtcNow().UtcTicks;

        public IPEndPoint Remote { get; } = remote;
        public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

        private void Touch() => Interlocked.Exchange(ref _lastActivityTicks, owner._time.GetUtcNow().UtcTicks);

        public bool Write(byte[] bytes)
        {
            if (_closed != 0) return false;
            try
            {
                lock (_writeGate) socket.Send(bytes, SocketFlags.None);
                Touch();
                return true;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                Close();
                return false;
            }
        }

        public async Task ReadLoop()
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (_closed == 0)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, owner._stop.Token).ConfigureAwait(false);
                    if (n == 0) break; // the peer closed
                    Touch();
                    _framer.Append(buffer.AsSpan(0, n));
                    if (!Drain()) break;
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Reset or shut down: the connection is simply gone.
            }
            finally
            {
                Close();
            }
        }

        /// <summary>Hands up every complete message; false when the stream is broken and the connection must close.</summary>
        private bool Drain()
        {
            while (true)
            {
                var pings = _framer.KeepAlivePings;
                var status = _framer.TryRead(out var result);
                var newPings = _framer.KeepAlivePings - pings;
                for (var i = 0; i < newPings; i++)
                {
                    Interlocked.Increment(ref owner._keepAlivesReceived);
                    Write(Pong);
                }
                switch (status)
                {
                    case SipFrameStatus.NeedMoreData:
                        return true;
                    case SipFrameStatus.Broken:
                        Interlocked.Increment(ref owner._messagesRejected);
                        var error = result.Error!;
                        owner.Raise(() => owner.MessageRejected?.Invoke(error, Remote));
                        return false;
                }
                if (result.IsSuccess)
                {
                    Interlocked.Increment(ref owner._messagesReceived);
                    var message = result.Message;
                    owner.Raise(() => owner.MessageReceived?.Invoke(message, Remote));
                }
                else
                {
                    Interlocked.Increment(ref owner._messagesRejected);
                    var error = result.Error;
                    owner.Raise(() => owner.MessageRejected?.Invoke(error, Remote));
                    if (error.BreaksFraming) return false;
                }
            }
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0) return;
            owner.Forget(this);
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already reset by the peer.
            }
            socket.Dispose();
        }
    }
}
