using System.Net;

namespace Routing.Media.Bridging;

/// <summary>
/// Symmetric RTP (RFC 4961) with latching: we send to where the peer's packets actually come from, not only to the
/// address in its SDP, which behind NAT is often private. Until a packet arrives we send to the signalled address;
/// the first packet latches its source. Afterwards packets from elsewhere are ignored, unless the latched source
/// has been silent for <see cref="RelatchAfterSilence"/> (the NAT rebound), in which case the new source wins.
/// A new offer/answer calls <see cref="Reset"/>.
/// </summary>
public sealed class SymmetricRtpLatch(IPEndPoint? signalled, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private IPEndPoint? _signalled = signalled;
    private IPEndPoint? _latched;
    private long _lastFromLatched;

    public TimeSpan RelatchAfterSilence { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Where to send: the latched source, else the SDP address (null while on RFC 2543 hold with no packets).</summary>
    public IPEndPoint? RemoteEndPoint
    {
        get { lock (_gate) return _latched ?? _signalled; }
    }

    public bool IsLatched
    {
        get { lock (_gate) return _latched is not null; }
    }

    /// <summary>Number of times the latch moved to another source after the first.</summary>
    public int Relatches { get; private set; }

    /// <summary>Records a packet from <paramref name="source"/>; false when it comes from a stranger and must be dropped.</summary>
    public bool Accept(IPEndPoint source)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_latched is null)
            {
                _latched = source;
                _lastFromLatched = now;
                return true;
            }
            if (_latched.Equals(source))
            {
                _lastFromLatched = now;
                return true;
            }
            if (_time.GetElapsedTime(_lastFromLatched, now) < RelatchAfterSilence) return false;
            _latched = source;
            _lastFromLatched = now;
            Relatches++;
            return true;
        }
    }

    /// <summary>Forgets the latched source after a new offer/answer; the next packet latches again.</summary>
    public void Reset(IPEndPoint? signalled)
    {
        lock (_gate)
        {
            _signalled = signalled;
            _latched = null;
        }
    }
}
