using System.Security.Cryptography;
using Routing.Media.Rtp;

namespace Routing.Media.Bridging;

/// <summary>
/// What one leg receives from us, as one continuous RTP stream whatever feeds it: a fixed SSRC of our own, and
/// sequence numbers and timestamps that carry on across source changes (prompt player, then the other leg, then
/// music on hold ...). Each source keeps its own spacing; on a change the new source is shifted to continue one
/// sequence number and the elapsed wall-clock time later, and its first packet is marked (a new talkspurt) so the
/// receiver resynchronises its playout. A jump within a source (the sender restarted) is treated as a change.
/// </summary>
public sealed class RtpOutputStream
{
    private const int MaxJump = 3000;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private uint? _source;
    private ushort _lastInSequence;
    private ushort _sequenceOffset;
    private uint _timestampOffset;
    private bool _hasOutput;
    private ushort _lastOutSequence;
    private uint _lastOutTimestamp;
    private long _lastOutAt;

    public RtpOutputStream(TimeProvider? time = null, uint? ssrc = null, int clockRate = 8000, int samplesPerFrame = 160)
    {
        _time = time ?? TimeProvider.System;
        Ssrc = ssrc ?? BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
        ClockRate = clockRate;
        SamplesPerFrame = samplesPerFrame;
    }

    public uint Ssrc { get; }
    public int ClockRate { get; }
    public int SamplesPerFrame { get; }

    /// <summary>Number of times the stream switched to a different source.</summary>
    public int SourceChanges { get; private set; }

    /// <summary>The packet as it is sent on this leg.</summary>
    public RtpPacket Rewrite(RtpPacket input)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var marker = input.Marker;
            if (_source != input.Ssrc || Math.Abs(RtpSequence.Delta(_lastInSequence, input.SequenceNumber)) > MaxJump)
            {
                SwitchTo(input, now);
                marker = true;
            }
            if (RtpSequence.IsNewer(input.SequenceNumber, _lastInSequence)) _lastInSequence = input.SequenceNumber;

            var output = input with
            {
                Ssrc = Ssrc,
                SequenceNumber = (ushort)(input.SequenceNumber + _sequenceOffset),
                Timestamp = input.Timestamp + _timestampOffset,
                Marker = marker,
                Csrcs = [],
            };
            if (!_hasOutput || RtpSequence.IsNewer(output.SequenceNumber, _lastOutSequence)) _lastOutSequence = output.SequenceNumber;
            if (!_hasOutput || RtpSequence.IsNewer(output.Timestamp, _lastOutTimestamp)) _lastOutTimestamp = output.Timestamp;
            _hasOutput = true;
            _lastOutAt = now;
            return output;
        }
    }

    private void SwitchTo(RtpPacket input, long now)
    {
        ushort nextSequence;
        uint nextTimestamp;
        if (_hasOutput)
        {
            nextSequence = (ushort)(_lastOutSequence + 1);
            // At least one frame later, more if the leg heard nothing for a while: the timestamp tracks real time.
            var elapsedSamples = (long)(_time.GetElapsedTime(_lastOutAt, now).TotalSeconds * ClockRate);
            nextTimestamp = _lastOutTimestamp + (uint)Math.Max(SamplesPerFrame, elapsedSamples);
        }
        else
        {
            var random = RandomNumberGenerator.GetBytes(6);
            nextSequence = BitConverter.ToUInt16(random);
            nextTimestamp = BitConverter.ToUInt32(random, 2);
        }
        _sequenceOffset = (ushort)(nextSequence - input.SequenceNumber);
        _timestampOffset = nextTimestamp - input.Timestamp;
        if (_source is not null) SourceChanges++;
        _source = input.Ssrc;
        _lastInSequence = input.SequenceNumber;
    }
}
