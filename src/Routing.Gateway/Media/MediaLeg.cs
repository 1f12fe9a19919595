using System.Net;
using Routing.Media.Bridging;
using Routing.Media.Dtmf;
using Routing.Media.Prompts;
using Routing.Media.Rtp;
using Routing.Media.Sdp;
using Routing.Media.Transport;

namespace Routing.Gateway.Media;

/// <summary>
/// The RTP side of one call leg (caller or operator): its socket pair, what was negotiated, and what it hears. It
/// hears either a prompt sequence (played by the shared <see cref="MediaClock"/>, 20 ms per frame) or the other leg
/// of a bridge (relayed packet by packet as they arrive). What it sends is one continuous stream whatever the
/// source (<see cref="RtpOutputStream"/>). Incoming RFC 4733 telephone-events become digits, redundant end
/// packets counted once.
/// </summary>
internal sealed class MediaLeg : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly MediaClock _clock;
    private NegotiatedAudio? _audio;
    private RtpSender? _generator;
    private DtmfDetector? _dtmf;
    private PromptPlayer? _player;
    private Action? _onPromptFinished;
    private MediaLeg? _peer;
    private RtpRelay? _relay;
    private bool _isRelayA;
    private Task? _receiving;
    private int _disposed;

    public MediaLeg(string name, RtpSocket socket, MediaClock clock)
    {
        Name = name;
        Socket = socket;
        _clock = clock;
        Output = new RtpOutputStream();
    }

    public string Name { get; }
    public RtpSocket Socket { get; }
    public RtpOutputStream Output { get; }
    public NegotiatedAudio? Audio { get { lock (_gate) return _audio; } }

    /// <summary>A digit pressed on this leg (RFC 4733).</summary>
    public event Action<char>? Digit;

    /// <summary>RTP packets received from the peer (after latching).</summary>
    public long PacketsReceived => Socket.PacketsReceived;

    /// <summary>RTP packets sent to the peer (prompts and relayed).</summary>
    public long PacketsSent => Socket.PacketsSent;

    /// <summary>Packets relayed from this leg to its bridged peer.</summary>
    public long PacketsRelayed { get; private set; }

    /// <summary>Sets what was negotiated (first answer or a re-INVITE) and starts receiving.</summary>
    public void Negotiated(NegotiatedAudio audio)
    {
        lock (_gate)
        {
            _audio = audio;
            Socket.SetRemote(audio.RemoteHold ? null : audio.RemoteEndPoint);
            if (_generator is null || _generator.PayloadType != audio.Codec.PayloadType) _generator = new RtpSender(audio.Codec.PayloadType);
            _dtmf = audio.TelephoneEventPayloadType is { } te ? new DtmfDetector(te) : null;
            _receiving ??= Task.Run(ReceiveLoop);
        }
    }

    /// <summary>Plays prompts from the next frame; <paramref name="finished"/> runs (on the clock's thread) after the last.</summary>
    public void Play(IReadOnlyList<Prompt> prompts, Action? finished = null)
    {
        lock (_gate)
        {
            if (_audio?.Codec.Law is not { } law) return;
            _player = new PromptPlayer(prompts, law);
            _onPromptFinished = finished;
        }
        _clock.Add(this);
    }

    /// <summary>Stops any prompt; the leg then hears silence until bridged or given another prompt.</summary>
    public void StopPlaying()
    {
        lock (_gate)
        {
            _player = null;
            _onPromptFinished = null;
        }
        _clock.Remove(this);
    }

    public bool IsPlaying { get { lock (_gate) return _player is not null; } }

    /// <summary>Relays media between this leg and <paramref name="other"/> both ways; stops prompts on both.</summary>
    public static void Bridge(MediaLeg a, MediaLeg b)
    {
        var audioA = a.Audio ?? throw new InvalidOperationException($"{a.Name} has no negotiated audio");
        var audioB = b.Audio ?? throw new InvalidOperationException($"{b.Name} has no negotiated audio");
        a.StopPlaying();
        b.StopPlaying();
        var relay = new RtpRelay(new RelayLeg(audioA.Codec, audioA.TelephoneEventPayloadType, a.Output),
            new RelayLeg(audioB.Codec, audioB.TelephoneEventPayloadType, b.Output));
        lock (a._gate) { a._peer = b; a._relay = relay; a._isRelayA = true; }
        lock (b._gate) { b._peer = a; b._relay = relay; b._isRelayA = false; }
    }

    /// <summary>Ends a bridge on both sides (each leg then hears silence).</summary>
    public void Unbridge()
    {
        MediaLeg? peer;
        lock (_gate)
        {
            peer = _peer;
            _peer = null;
            _relay = null;
        }
        if (peer is null) return;
        lock (peer._gate)
        {
            if (peer._peer == this)
            {
                peer._peer = null;
                peer._relay = null;
            }
        }
    }

    public bool IsBridged { get { lock (_gate) return _peer is not null; } }

    /// <summary>One frame time of the clock: the next prompt frame, if playing and not bridged.</summary>
    internal bool Tick(Span<byte> frame)
    {
        Action? finished = null;
        RtpPacket? packet = null;
        lock (_gate)
        {
            if (_player is null || _generator is null || _peer is not null) return false;
            if (_player.TryReadFrame(frame))
            {
                packet = Output.Rewrite(_generator.NextFrame(frame.ToArray()));
            }
            else
            {
                _player = null;
                finished = _onPromptFinished;
                _onPromptFinished = null;
            }
        }
        if (packet is not null) Socket.Send(packet);
        finished?.Invoke();
        return packet is not null || IsPlaying;
    }

    private async Task ReceiveLoop()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            RtpDatagram datagram;
            try
            {
                datagram = await Socket.ReceiveAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                if (Volatile.Read(ref _disposed) != 0) return;
                continue;
            }
            OnPacket(datagram.Packet);
        }
    }

    private void OnPacket(RtpPacket packet)
    {
        DtmfDigit? digit = null;
        MediaLeg? peer;
        RtpPacket? relayed = null;
        lock (_gate)
        {
            if (_dtmf is not null && packet.PayloadType == _dtmf.PayloadType) digit = _dtmf.Process(packet);
            peer = _peer;
            if (peer is not null && _relay is not null)
            {
                relayed = _isRelayA ? _relay.FromA(packet) : _relay.FromB(packet);
                if (relayed is not null) PacketsRelayed++;
            }
        }
        if (relayed is not null) peer!.Socket.Send(relayed);
        if (digit is not null) Digit?.Invoke(digit.Digit);
    }

    public IPEndPoint LocalEndPoint => Socket.LocalEndPoint;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _clock.Remove(this);
        Unbridge();
        _stop.Cancel();
        Socket.Dispose();
        _stop.Dispose();
    }
}
