using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Routing.Sip.Message;
using Routing.Sip.Parsing;

namespace Routing.Sip.Transport;

/// <summary>
/// SIP over one UDP socket (RFC 3261 §18): a receive loop that parses each datagram and raises
/// <see cref="MessageReceived"/> or <see cref="MessageRejected"/>, and <see cref="Send"/> that serializes and sends.
/// Bad datagrams, ICMP errors and throwing subscribers never stop the loop. Keep-alives (RFC 5626 §3.5.1 CRLF, STUN
/// binding requests) are not SIP messages: a double CRLF is answered with a single CRLF, the rest is ignored.
/// Events are raised on the receive loop, one datagram at a time.
/// </summary>
public sealed class UdpSipTransport : ISipTransport, IDisposable
{
    /// <summary>Largest UDP payload (IPv4: 65,535 - 8 - 20).</summary>
    public const int MaxDatagramBytes = 65_507;

    private static readonly byte[] Pong = "\r\n"u8.ToArray();
    private readonly Socket _socket;
    private readonly SipParserOptions _parserOptions;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _datagramsReceived;
    private long _datagramsRejected;
    private long _messagesSent;
    private long _keepAlivesReceived;
    private long _sendFailures;
    private int _disposed;

    /// <param name="bind">Address and port to bind; port 0 takes a free port (see <see cref="LocalEndPoint"/>).</param>
    /// <param name="advertisedAddress">What to put in Via/Contact/SDP; default the bound address, or loopback when bound to Any.</param>
    /// <param name="receiveBufferBytes">SO_RCVBUF: how much can queue while a burst is being parsed (the OS may cap it).</param>
    public UdpSipTransport(IPEndPoint bind, IPAddress? advertisedAddress = null, SipParserOptions? parserOptions = null,
        int receiveBufferBytes = 1 << 20)
    {
        _parserOptions = parserOptions ?? SipParserOptions.Default;
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // Without this, an ICMP port-unreachable for an earlier send fails the next receive with WSAECONNRESET.
                const int SioUdpConnReset = unchecked((int)0x9800000C);
                _socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
            }
            _socket.ReceiveBufferSize = receiveBufferBytes;
            _socket.Bind(bind);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        AdvertisedAddress = advertisedAddress ?? DefaultAdvertised(LocalEndPoint.Address);
        AdvertisedEndPoint = new IPEndPoint(AdvertisedAddress, LocalEndPoint.Port);
    }

    public string Protocol => "UDP";
    public bool IsReliable => false;
    public IPEndPoint LocalEndPoint { get; }
    public IPAddress AdvertisedAddress { get; }
    public IPEndPoint AdvertisedEndPoint { get; }

    /// <summary>Every datagram that arrived, keep-alives and garbage included.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _datagramsReceived);

    /// <summary>Datagrams that did not parse as SIP (raised as <see cref="MessageRejected"/>).</summary>
    public long DatagramsRejected => Interlocked.Read(ref _datagramsRejected);

    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>CRLF keep-alives and STUN packets received (not SIP, not rejected).</summary>
    public long KeepAlivesReceived => Interlocked.Read(ref _keepAlivesReceived);

    /// <summary>Sends the socket refused (unreachable network, oversize message, closed transport).</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    public event Action<SipMessage, IPEndPoint>? MessageReceived;
    public event Action<SipParseError, IPEndPoint>? MessageRejected;

    /// <summary>A subscriber threw while handling a datagram; the loop goes on with the next one.</summary>
    public event Action<Exception>? HandlerFailed;

    /// <summary>Starts the receive loop (once).</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Interlocked.CompareExchange(ref _loop, Task.CompletedTask, null) is not null)
            throw new InvalidOperationException("The transport is already started");
        _loop = Task.Run(ReceiveLoop);
    }

    public bool Send(SipMessage message, IPEndPoint destination) => SendBytes(message.ToBytes(), destination, countAsMessage: true);

    private bool SendBytes(byte[] bytes, IPEndPoint destination, bool countAsMessage)
    {
        if (_disposed != 0 || bytes.Length > MaxDatagramBytes || destination.AddressFamily != _socket.AddressFamily)
        {
            Interlocked.Increment(ref _sendFailures);
            return false;
        }
        try
        {
            _socket.SendTo(bytes, SocketFlags.None, destination);
            if (countAsMessage) Interlocked.Increment(ref _messagesSent);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _sendFailures);
            return false;
        }
    }

    private async Task ReceiveLoop()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagramBytes + 1);
        EndPoint anyRemote = new IPEndPoint(
            _socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, anyRemote, _stop.Token).ConfigureAwait(false);
                }
                catch (SocketException ex) when (_disposed == 0 && ex.SocketErrorCode is not
                                                     (SocketError.OperationAborted or SocketError.Shutdown or SocketError.NotSocket))
                {
                    // ICMP port-unreachable (ConnectionReset), oversize datagrams and the like concern one datagram only.
                    continue;
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    break;
                }
                Interlocked.Increment(ref _datagramsReceived);
                OnDatagram(buffer.AsSpan(0, received.ReceivedBytes), (IPEndPoint)received.RemoteEndPoint);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        switch (Classify(datagram))
        {
            case DatagramKind.Ping:
                Interlocked.Increment(ref _keepAlivesReceived);
                SendBytes(Pong, source, countAsMessage: false);
                return;
            case DatagramKind.KeepAlive:
                Interlocked.Increment(ref _keepAlivesReceived);
                return;
        }
        var result = SipParser.ParseDatagram(datagram, _parserOptions);
        try
        {
            if (result.IsSuccess) MessageReceived?.Invoke(result.Message, source);
            else
            {
                Interlocked.Increment(ref _datagramsRejected);
                MessageRejected?.Invoke(result.Error, source);
            }
        }
        catch (Exception ex)
        {
            HandlerFailed?.Invoke(ex);
        }
    }

    internal enum DatagramKind { Sip, Ping, KeepAlive }

    /// <summary>A double CRLF is a ping (answered), a lone CRLF or a STUN message a keep-alive (ignored).</summary>
    internal static DatagramKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty) return DatagramKind.KeepAlive;
        if (datagram.IndexOfAnyExcept((byte)'\r', (byte)'\n') < 0)
            return datagram.SequenceEqual("\r\n\r\n"u8) ? DatagramKind.Ping : DatagramKind.KeepAlive;
        // STUN (RFC 5389 §6): the top two bits are zero and the magic cookie follows the type and length.
        if (datagram.Length >= 20 && (datagram[0] & 0xC0) == 0 && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == 0x2112A442)
            return DatagramKind.KeepAlive;
        return DatagramKind.Sip;
    }

    private static IPAddress DefaultAdvertised(IPAddress bound) =>
        bound.Equals(IPAddress.Any) ? IPAddress.Loopback
        : bound.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
        : bound;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends by itself on cancellation; nothing to report on shutdown.
        }
        _stop.Dispose();
    }
}
