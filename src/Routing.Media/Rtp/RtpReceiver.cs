namespace Routing.Media.Rtp;

/// <summary>What a received packet turned out to be, relative to what came before.</summary>
public enum RtpArrival
{
    /// <summary>The first packet of a source (a new SSRC resets the receiver).</summary>
    FirstOfSource,

    /// <summary>The next expected sequence number.</summary>
    InOrder,

    /// <summary>Newer than expected: the packets in between are missing (so far).</summary>
    AfterGap,

    /// <summary>Older than the highest seen but not seen before: reordered, fills a gap.</summary>
    Late,

    /// <summary>Already received.</summary>
    Duplicate,

    /// <summary>A jump too large to be loss or reordering; dropped unless the next packet follows it.</summary>
    Discarded,

    /// <summary>The second packet after a large jump confirmed that the sender restarted its sequence.</summary>
    Resynchronized,
}

/// <summary>The verdict on one packet; <see cref="Missing"/> is the number of packets skipped by an <see cref="RtpArrival.AfterGap"/>.</summary>
public readonly record struct RtpReceiveResult(RtpArrival Arrival, long ExtendedSequence, int Missing = 0)
{
    /// <summary>True when the payload should be played or forwarded (not a duplicate or a discarded jump).</summary>
    public bool IsNew => Arrival is not (RtpArrival.Duplicate or RtpArrival.Discarded);
}

/// <summary>
/// Receive-side bookkeeping for one RTP stream without a jitter buffer (packets are used as they come): extended
/// sequence numbers across 16-bit wrap-around, loss, duplicates and reordering, following RFC 3550 Appendix A.1
/// (MAX_DROPOUT/MAX_MISORDER, resynchronisation after a sender restart) but accepting the first packet at once.
/// </summary>
public sealed class RtpReceiver(int maxDropout = 3000, int maxMisorder = 100)
{
    private const int Window = 1024; // duplicate detection horizon, larger than maxMisorder
    private readonly ulong[] _seen = new ulong[Window / 64];
    private long _cycles;
    private ushort _maxSeq;
    private int? _badSeq;
    private long _baseExtended;

    public uint? Ssrc { get; private set; }

    /// <summary>Highest extended sequence number received (sequence plus 65536 × wraps).</summary>
    public long HighestExtendedSequence => _cycles + _maxSeq;

    /// <summary>Distinct packets received from the current source.</summary>
    public long Received { get; private set; }

    public long Duplicates { get; private set; }
    public long Reordered { get; private set; }

    /// <summary>Packets expected from the current source: highest minus first extended sequence, plus one.</summary>
    public long Expected => Ssrc is null ? 0 : HighestExtendedSequence - _baseExtended + 1;

    /// <summary>Packets never received (RFC 3550 cumulative loss; late arrivals reduce it again).</summary>
    public long Lost => Math.Max(0, Expected - Received);

    public RtpReceiveResult Receive(RtpPacket packet) => Receive(packet.Ssrc, packet.SequenceNumber);

    public RtpReceiveResult Receive(uint ssrc, ushort sequence)
    {
        if (Ssrc != ssrc)
        {
            Restart(ssrc, sequence);
            return new RtpReceiveResult(RtpArrival.FirstOfSource, HighestExtendedSequence);
        }

        var delta = RtpSequence.Delta(_maxSeq, sequence);
        if (delta > 0 && delta < maxDropout)
        {
            _badSeq = null;
            if (sequence < _maxSeq) _cycles += 65536;
            var previous = HighestExtendedSequence;
            _maxSeq = sequence;
            Advance(previous, HighestExtendedSequence);
            Mark(HighestExtendedSequence);
            Received++;
            return delta == 1
                ? new RtpReceiveResult(RtpArrival.InOrder, HighestExtendedSequence)
                : new RtpReceiveResult(RtpArrival.AfterGap, HighestExtendedSequence, delta - 1);
        }

        if (delta <= 0 && -delta <= maxMisorder)
        {
            var extended = HighestExtendedSequence + delta;
            if (IsMarked(extended))
            {
                Duplicates++;
                return new RtpReceiveResult(RtpArrival.Duplicate, extended);
            }
            Mark(extended);
            if (extended < _baseExtended) _baseExtended = extended; // reordered before the first packet
            Received++;
            Reordered++;
            return new RtpReceiveResult(RtpArrival.Late, extended);
        }

        // A large jump: either a stray packet or the sender restarted. Only the next packet tells (RFC 3550 A.1).
        if (_badSeq == sequence)
        {
            var received = Received;
            var expected = Expected;
            var duplicates = Duplicates;
            var reordered = Reordered;
            Restart(ssrc, sequence);
            // Statistics continue across the resync; the loss count restarts from the new sequence.
            Received += received;
            Duplicates = duplicates;
            Reordered = reordered;
            _baseExtended -= expected;
            return new RtpReceiveResult(RtpArrival.Resynchronized, HighestExtendedSequence);
        }
        _badSeq = (ushort)(sequence + 1);
        return new RtpReceiveResult(RtpArrival.Discarded, -1);
    }

    private void Restart(uint ssrc, ushort sequence)
    {
        Ssrc = ssrc;
        Array.Clear(_seen);
        _cycles = 0;
        _maxSeq = sequence;
        _badSeq = null;
        _baseExtended = sequence;
        Received = 1;
        Duplicates = 0;
        Reordered = 0;
        Mark(sequence);
    }

    private void Advance(long previous, long current)
    {
        if (current - previous >= Window)
        {
            Array.Clear(_seen);
            return;
        }
        for (var s = previous + 1; s <= current; s++) Unmark(s);
    }

    // Extended numbers can go below zero when a packet older than the first one arrives late.
    private static int Slot(long extended) => (int)(((extended % Window) + Window) % Window);
    private void Mark(long extended) => _seen[Slot(extended) / 64] |= 1UL << (Slot(extended) % 64);
    private void Unmark(long extended) => _seen[Slot(extended) / 64] &= ~(1UL << (Slot(extended) % 64));
    private bool IsMarked(long extended) => (_seen[Slot(extended) / 64] & (1UL << (Slot(extended) % 64))) != 0;
}
