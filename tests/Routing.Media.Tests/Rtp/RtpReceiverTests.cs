using Routing.Media.Rtp;
using Xunit;

namespace Routing.Media.Tests.Rtp;

public class RtpReceiverTests
{
    private const uint Ssrc = 0x1234;

    [Fact]
    public void In_order_packets_across_the_16_bit_wrap_lose_nothing()
    {
        var receiver = new RtpReceiver();
        Assert.Equal(RtpArrival.FirstOfSource, receiver.Receive(Ssrc, 65533).Arrival);
        Assert.Equal(RtpArrival.InOrder, receiver.Receive(Ssrc, 65534).Arrival);
        Assert.Equal(RtpArrival.InOrder, receiver.Receive(Ssrc, 65535).Arrival);
        var wrapped = receiver.Receive(Ssrc, 0);
        Assert.Equal(RtpArrival.InOrder, wrapped.Arrival);
        Assert.Equal(65536, wrapped.ExtendedSequence);
        Assert.Equal(RtpArrival.InOrder, receiver.Receive(Ssrc, 1).Arrival);
        Assert.Equal(65537, receiver.HighestExtendedSequence);
        Assert.Equal(5, receiver.Expected);
        Assert.Equal(5, receiver.Received);
        Assert.Equal(0, receiver.Lost);
    }

    [Fact]
    public void A_gap_counts_as_loss_until_the_late_packet_arrives()
    {
        var receiver = new RtpReceiver();
        receiver.Receive(Ssrc, 65534);
        var gap = receiver.Receive(Ssrc, 2); // 65535, 0, 1 missing
        Assert.Equal(RtpArrival.AfterGap, gap.Arrival);
        Assert.Equal(3, gap.Missing);
        Assert.Equal(3, receiver.Lost);

        var late = receiver.Receive(Ssrc, 0);
        Assert.Equal(RtpArrival.Late, late.Arrival);
        Assert.Equal(65536, late.ExtendedSequence);
        Assert.Equal(2, receiver.Lost);
        Assert.Equal(1, receiver.Reordered);
    }

    [Fact]
    public void Duplicates_are_detected_including_old_ones_and_ones_across_the_wrap()
    {
        var receiver = new RtpReceiver();
        for (var i = 0; i < 50; i++) receiver.Receive(Ssrc, (ushort)(65520 + i));
        Assert.Equal(RtpArrival.Duplicate, receiver.Receive(Ssrc, 65535).Arrival);
        Assert.Equal(RtpArrival.Duplicate, receiver.Receive(Ssrc, 5).Arrival);
        Assert.Equal(RtpArrival.Duplicate, receiver.Receive(Ssrc, 65520).Arrival);
        Assert.False(receiver.Receive(Ssrc, 65521).IsNew);
        Assert.Equal(4, receiver.Duplicates);
        Assert.Equal(50, receiver.Received);
        Assert.Equal(0, receiver.Lost);
    }

    [Fact]
    public void A_late_packet_from_before_the_first_is_accepted_once()
    {
        var receiver = new RtpReceiver();
        receiver.Receive(Ssrc, 1);
        Assert.Equal(RtpArrival.Late, receiver.Receive(Ssrc, 65535).Arrival);
        Assert.Equal(RtpArrival.Duplicate, receiver.Receive(Ssrc, 65535).Arrival);
        Assert.Equal(RtpArrival.AfterGap, receiver.Receive(Ssrc, 3).Arrival);
        Assert.Equal(2, receiver.Lost); // 65535..3 expected, 0 and 2 missing
    }

    [Fact]
    public void A_large_jump_is_discarded_unless_confirmed_by_the_next_packet()
    {
        var receiver = new RtpReceiver();
        receiver.Receive(Ssrc, 100);
        receiver.Receive(Ssrc, 101);
        Assert.Equal(RtpArrival.Discarded, receiver.Receive(Ssrc, 40000).Arrival);
        Assert.Equal(RtpArrival.InOrder, receiver.Receive(Ssrc, 102).Arrival); // the stray was just noise

        Assert.Equal(RtpArrival.Discarded, receiver.Receive(Ssrc, 50000).Arrival);
        Assert.Equal(RtpArrival.Resynchronized, receiver.Receive(Ssrc, 50001).Arrival);
        Assert.Equal(RtpArrival.InOrder, receiver.Receive(Ssrc, 50002).Arrival);
        Assert.Equal(0, receiver.Lost);
        Assert.Equal(5, receiver.Received);
    }

    [Fact]
    public void A_new_ssrc_restarts_the_bookkeeping()
    {
        var receiver = new RtpReceiver();
        receiver.Receive(Ssrc, 10);
        receiver.Receive(Ssrc, 20);
        Assert.Equal(9, receiver.Lost);
        Assert.Equal(RtpArrival.FirstOfSource, receiver.Receive(0x9999, 7).Arrival);
        Assert.Equal(0x9999u, receiver.Ssrc);
        Assert.Equal(0, receiver.Lost);
    }

    [Fact]
    public void Random_loss_duplication_and_reordering_is_counted_exactly()
    {
        var rng = new Random(7);
        var receiver = new RtpReceiver();
        var start = (ushort)65000;
        var sent = Enumerable.Range(0, 3000).Select(i => (ushort)(start + i)).ToList();
        var delivered = new List<ushort>();
        foreach (var seq in sent)
        {
            if (seq != start && rng.NextDouble() < 0.05) continue; // lost (never the first)
            delivered.Add(seq);
            if (rng.NextDouble() < 0.03) delivered.Add(seq); // duplicated
        }
        // Swap some neighbours (reordering by up to a few packets), keeping the first packet first.
        for (var i = 2; i < delivered.Count; i += rng.Next(5, 20)) (delivered[i - 1], delivered[i]) = (delivered[i], delivered[i - 1]);

        var unique = new HashSet<ushort>();
        var reportedNew = 0;
        foreach (var seq in delivered)
        {
            var result = receiver.Receive(Ssrc, seq);
            Assert.Equal(unique.Add(seq), result.IsNew);
            if (result.IsNew) reportedNew++;
        }
        var highest = delivered.Max(s => (ushort)(s - start));
        Assert.Equal(unique.Count, reportedNew);
        Assert.Equal(unique.Count, receiver.Received);
        Assert.Equal(highest + 1, receiver.Expected);
        Assert.Equal(highest + 1 - unique.Count, receiver.Lost);
        Assert.Equal(delivered.Count - unique.Count, receiver.Duplicates);
    }
}
