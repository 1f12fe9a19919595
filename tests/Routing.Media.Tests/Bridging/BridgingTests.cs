using System.Net;
using Microsoft.Extensions.Time.Testing;
using Routing.Media.Bridging;
using Routing.Media.Codecs;
using Routing.Media.Dtmf;
using Routing.Media.Rtp;
using Routing.Media.Sdp;
using Xunit;

namespace Routing.Media.Tests.Bridging;

public class RtpOutputStreamTests
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    private static void AssertContinuous(IReadOnlyList<RtpPacket> sent)
    {
        for (var i = 1; i < sent.Count; i++)
        {
            Assert.Equal((ushort)(sent[i - 1].SequenceNumber + 1), sent[i].SequenceNumber);
            Assert.Equal(sent[i - 1].Timestamp + 160, sent[i].Timestamp);
        }
    }

    [Fact]
    public void A_leg_sees_one_continuous_stream_when_the_source_changes_from_prompts_to_the_other_leg()
    {
        var time = new FakeTimeProvider();
        var output = new RtpOutputStream(time, ssrc: 0xAAAA);
        var prompts = new RtpSender(0, ssrc: 1, initialSequence: 65530, initialTimestamp: 4_000_000_000);
        var otherLeg = new RtpSender(0, ssrc: 2, initialSequence: 100, initialTimestamp: 5);
        var sent = new List<RtpPacket>();
        foreach (var source in new[] { prompts, otherLeg, prompts })
        {
            for (var i = 0; i < 10; i++)
            {
                sent.Add(output.Rewrite(source.NextFrame(new byte[160])));
                time.Advance(Frame);
            }
        }

        Assert.All(sent, p => Assert.Equal(0xAAAAu, p.Ssrc));
        AssertContinuous(sent);
        // Marked: the start, and each switch (a new talkspurt for the receiver's playout).
        Assert.Equal([0, 10, 20], sent.Select((p, i) => (p, i)).Where(x => x.p.Marker).Select(x => x.i));
        Assert.Equal(2, output.SourceChanges);
    }

    [Fact]
    public void After_a_silence_the_timestamp_jumps_by_the_elapsed_time()
    {
        var time = new FakeTimeProvider();
        var output = new RtpOutputStream(time);
        var a = output.Rewrite(new RtpPacket { Ssrc = 1, SequenceNumber = 10, Timestamp = 0 });
        time.Advance(TimeSpan.FromSeconds(1));
        var b = output.Rewrite(new RtpPacket { Ssrc = 2, SequenceNumber = 999, Timestamp = 123 });
        Assert.Equal((ushort)(a.SequenceNumber + 1), b.SequenceNumber);
        Assert.Equal(a.Timestamp + 8000, b.Timestamp);
    }

    [Fact]
    public void Reordered_and_lost_packets_keep_their_spacing_within_a_source()
    {
        var output = new RtpOutputStream(new FakeTimeProvider());
        var first = output.Rewrite(new RtpPacket { Ssrc = 1, SequenceNumber = 65535, Timestamp = 1000 });
        var third = output.Rewrite(new RtpPacket { Ssrc = 1, SequenceNumber = 1, Timestamp = 1320 });
        var second = output.Rewrite(new RtpPacket { Ssrc = 1, SequenceNumber = 0, Timestamp = 1160 });
        Assert.Equal((ushort)(first.SequenceNumber + 1), second.SequenceNumber);
        Assert.Equal((ushort)(first.SequenceNumber + 2), third.SequenceNumber);
        Assert.Equal(first.Timestamp + 320, third.Timestamp);
        Assert.False(second.Marker);
        var next = output.Rewrite(new RtpPacket { Ssrc = 2, SequenceNumber = 7, Timestamp = 7 });
        Assert.Equal((ushort)(third.SequenceNumber + 1), next.SequenceNumber); // continues after the highest
    }

    [Fact]
    public void A_sender_restart_within_the_same_ssrc_is_smoothed_over()
    {
        var output = new RtpOutputStream(new FakeTimeProvider());
        var a = output.Rewrite(new RtpPacket { Ssrc = 1, SequenceNumber = 100, Timestamp = 1000 });
        var b = output.Rewrite(new RtpPacket { Ssrc = 1, SequenceNumber = 40000, Timestamp = 9 });
        Assert.Equal((ushort)(a.SequenceNumber + 1), b.SequenceNumber);
        Assert.Equal(a.Timestamp + 160, b.Timestamp);
        Assert.True(b.Marker);
    }
}

public class RtpRelayTests
{
    private static RtpRelay Relay(AudioCodec codecA, byte? teA, AudioCodec codecB, byte? teB, FakeTimeProvider time) =>
        new(new RelayLeg(codecA, teA, new RtpOutputStream(time, ssrc: 0xA)), new RelayLeg(codecB, teB, new RtpOutputStream(time, ssrc: 0xB)));

    [Fact]
    public void Forwards_each_direction_with_that_legs_own_stream()
    {
        var time = new FakeTimeProvider();
        var relay = Relay(AudioCodec.Pcmu, 101, AudioCodec.Pcmu, 101, time);
        var fromA = new RtpSender(0, ssrc: 111);
        var fromB = new RtpSender(0, ssrc: 222);
        var toB = relay.FromA(fromA.NextFrame(new byte[] { 1, 2, 3 }))!;
        var toA = relay.FromB(fromB.NextFrame(new byte[] { 4, 5, 6 }))!;
        Assert.Equal(0xBu, toB.Ssrc); // what leg B hears comes from B's output stream
        Assert.Equal(0xAu, toA.Ssrc);
        Assert.Equal([1, 2, 3], toB.Payload.ToArray());
        Assert.Equal(2, relay.Forwarded);
    }

    [Fact]
    public void Converts_between_pcmu_and_pcma_and_renumbers_telephone_events()
    {
        var time = new FakeTimeProvider();
        var relay = Relay(AudioCodec.Pcmu, 101, AudioCodec.Pcma, 96, time);
        var sender = new RtpSender(0);
        var payload = Enumerable.Range(0, 160).Select(i => (byte)i).ToArray();
        var audio = relay.FromA(sender.NextFrame(payload))!;
        Assert.Equal(8, audio.PayloadType);
        Assert.Equal(payload.Select(G711.MuLawToALaw), audio.Payload.ToArray());

        var dtmf = TelephoneEventWriter.CreateDigit(sender, 101, '5');
        var forwarded = dtmf.Select(relay.FromA).ToList();
        Assert.All(forwarded, p => Assert.Equal(96, p!.PayloadType));
        Assert.Equal('5', new DtmfDetector(96).Process(forwarded[0]!)!.Digit);
    }

    [Fact]
    public void Drops_what_the_destination_did_not_negotiate()
    {
        var time = new FakeTimeProvider();
        var relay = Relay(AudioCodec.Pcmu, 101, AudioCodec.Pcmu, null, time);
        Assert.Null(relay.FromA(new RtpPacket { PayloadType = 101, Payload = new TelephoneEvent(1, false, 10, 160).ToArray() }));
        Assert.Null(relay.FromA(new RtpPacket { PayloadType = 13, Payload = new byte[1] })); // comfort noise
        Assert.Null(relay.FromB(new RtpPacket { PayloadType = 8, Payload = new byte[160] })); // not B's codec
        Assert.Equal(3, relay.Dropped);
    }
}

public class SymmetricRtpLatchTests
{
    private static readonly IPEndPoint Signalled = IPEndPoint.Parse("10.0.0.5:4000");
    private static readonly IPEndPoint Nat = IPEndPoint.Parse("198.51.100.7:61000");
    private static readonly IPEndPoint Stranger = IPEndPoint.Parse("198.51.100.99:5000");

    [Fact]
    public void Sends_to_the_sdp_address_until_the_first_packet_then_to_its_source()
    {
        var latch = new SymmetricRtpLatch(Signalled, new FakeTimeProvider());
        Assert.Equal(Signalled, latch.RemoteEndPoint);
        Assert.False(latch.IsLatched);
        Assert.True(latch.Accept(Nat));
        Assert.Equal(Nat, latch.RemoteEndPoint);
        Assert.True(latch.IsLatched);
    }

    [Fact]
    public void Ignores_strangers_while_the_latched_source_is_alive_and_relatches_after_silence()
    {
        var time = new FakeTimeProvider();
        var latch = new SymmetricRtpLatch(Signalled, time) { RelatchAfterSilence = TimeSpan.FromSeconds(2) };
        latch.Accept(Nat);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(latch.Accept(Stranger));
        Assert.True(latch.Accept(Nat));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(latch.Accept(Stranger)); // the NAT binding changed
        Assert.Equal(Stranger, latch.RemoteEndPoint);
        Assert.Equal(1, latch.Relatches);
        Assert.False(latch.Accept(Nat));
    }

    [Fact]
    public void A_new_offer_answer_unlatches()
    {
        var latch = new SymmetricRtpLatch(Signalled, new FakeTimeProvider());
        latch.Accept(Nat);
        var moved = IPEndPoint.Parse("10.0.0.6:4002");
        latch.Reset(moved);
        Assert.Equal(moved, latch.RemoteEndPoint);
        Assert.True(latch.Accept(Stranger));
        Assert.Equal(Stranger, latch.RemoteEndPoint);
    }
}
