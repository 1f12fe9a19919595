using Microsoft.Extensions.Time.Testing;
using Routing.Media.Rtp;
using Xunit;

namespace Routing.Media.Tests.Rtp;

public class RtpSenderTests
{
    [Fact]
    public void Frames_advance_sequence_by_one_and_timestamp_by_160_and_only_the_first_is_marked()
    {
        var sender = new RtpSender(0, ssrc: 42, initialSequence: 65535, initialTimestamp: uint.MaxValue - 100);
        var frame = new byte[160];
        var a = sender.NextFrame(frame);
        var b = sender.NextFrame(frame);
        Assert.Equal((42u, (ushort)65535, uint.MaxValue - 100, true), (a.Ssrc, a.SequenceNumber, a.Timestamp, a.Marker));
        Assert.Equal(((ushort)0, 59u, false), (b.SequenceNumber, b.Timestamp, b.Marker));
        sender.Skip(2); // 40 ms of silence
        var c = sender.NextFrame(frame);
        Assert.Equal(((ushort)1, 59u + 160 * 3, true), (c.SequenceNumber, c.Timestamp, c.Marker));
        Assert.Equal(3, sender.PacketsSent);
    }

    [Fact]
    public void Each_sender_starts_at_random_values()
    {
        var senders = Enumerable.Range(0, 8).Select(_ => new RtpSender(0)).ToList();
        Assert.True(senders.Select(s => s.Ssrc).Distinct().Count() > 1);
        Assert.True(senders.Select(s => s.Timestamp).Distinct().Count() > 1);
        Assert.True(senders.Select(s => s.NextSequence).Distinct().Count() > 1);
    }
}

public class RtpPacerTests
{
    [Fact]
    public void Ticks_every_20_ms_of_virtual_time()
    {
        var time = new FakeTimeProvider();
        var ticks = new List<(long Frame, DateTimeOffset At)>();
        using var pacer = new RtpPacer(time, frame => ticks.Add((frame, time.GetUtcNow())));
        var start = time.GetUtcNow();
        pacer.Start();
        Assert.Single(ticks); // frame 0 at once
        for (var i = 0; i < 49; i++) time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), ticks.Select(t => t.Frame));
        Assert.All(ticks, t => Assert.Equal(start + TimeSpan.FromMilliseconds(20 * t.Frame), t.At));
        time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Equal(50, ticks.Count);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(51, ticks.Count);
    }

    [Fact]
    public void A_stall_is_caught_up_to_a_limit_and_older_frames_are_skipped()
    {
        var time = new FakeTimeProvider();
        var frames = new List<long>();
        using var pacer = new RtpPacer(time, frames.Add) { MaxCatchUpFrames = 3 };
        pacer.Start();
        frames.Clear();
        // The process stalls for 200 ms (the clock moves, no timer runs), then the timer callback runs once.
        time.AdjustTime(time.GetUtcNow() + TimeSpan.FromMilliseconds(200));
        pacer.OnTimer();
        Assert.Equal([8L, 9L, 10L], frames);
        Assert.Equal(7, pacer.FramesSkipped);
    }

    [Fact]
    public void Stop_ends_the_ticks()
    {
        var time = new FakeTimeProvider();
        var count = 0;
        var pacer = new RtpPacer(time, _ => count++);
        pacer.Start();
        time.Advance(TimeSpan.FromMilliseconds(40));
        pacer.Stop();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, count);
        Assert.False(pacer.IsRunning);
    }
}
