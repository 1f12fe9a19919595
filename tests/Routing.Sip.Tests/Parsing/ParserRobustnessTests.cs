using System.Text;
using CsCheck;
using Routing.Sip.Message;
using Routing.Sip.Parsing;
using Routing.Sip.Tests.Torture;
using Xunit;

namespace Routing.Sip.Tests.Parsing;

/// <summary>Random mutations of real messages: whatever arrives, nothing escapes the parser or the framer.</summary>
public class ParserRobustnessTests
{
    private static readonly byte[][] Seeds =
    [
        .. TortureCorpus.All.Values.Select(e => e.Bytes),
        Encoding.UTF8.GetBytes(SipParserTests.Invite),
    ];

    private static readonly byte[] Interesting = "\r\n\t \0%\"<>;,:=@/?[]\\*"u8.ToArray();

    private static byte[] Mutate(Random rng, byte[] seed)
    {
        var data = new List<byte>(seed);
        var steps = rng.Next(1, 5);
        for (var s = 0; s < steps && data.Count > 0; s++)
        {
            var at = rng.Next(data.Count);
            switch (rng.Next(10))
            {
                case 0: data[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: data[at] = (byte)rng.Next(256); break;
                case 2: data[at] = Interesting[rng.Next(Interesting.Length)]; break;
                case 3: data.RemoveRange(at, data.Count - at); break; // truncation
                case 4: data.InsertRange(at, Enumerable.Repeat(Interesting[rng.Next(Interesting.Length)], rng.Next(1, 8))); break;
                case 5: // duplicate a line
                case 6: // remove a line
                {
                    var lines = Lines(data);
                    var line = lines[rng.Next(lines.Count)];
                    if (rng.Next(2) == 0) data.InsertRange(line.Start, data.GetRange(line.Start, line.Length));
                    else data.RemoveRange(line.Start, line.Length);
                    break;
                }
                case 7: // huge value
                {
                    var filler = (byte)"9a%;,\" "[rng.Next(7)];
                    data.InsertRange(at, Enumerable.Repeat(filler, rng.Next(100, 40_000)));
                    break;
                }
                case 8: // swap two lines
                {
                    var lines = Lines(data);
                    var a = lines[rng.Next(lines.Count)];
                    var b = lines[rng.Next(lines.Count)];
                    if (a.Start > b.Start) (a, b) = (b, a);
                    if (a.Start + a.Length <= b.Start)
                    {
                        var copyA = data.GetRange(a.Start, a.Length);
                        var copyB = data.GetRange(b.Start, b.Length);
                        data.RemoveRange(b.Start, b.Length);
                        data.InsertRange(b.Start, copyA);
                        data.RemoveRange(a.Start, a.Length);
                        data.InsertRange(a.Start, copyB);
                    }
                    break;
                }
                default: // replace a numeric run with a huge number or a negative one
                    data.InsertRange(at, Encoding.ASCII.GetBytes(rng.Next(2) == 0 ? "-1" : "99999999999999999999999"));
                    break;
            }
        }
        return data.ToArray();
    }

    private static List<(int Start, int Length)> Lines(List<byte> data)
    {
        var result = new List<(int, int)>();
        var start = 0;
        for (var i = 0; i < data.Count; i++)
        {
            if (data[i] != (byte)'\n') continue;
            result.Add((start, i + 1 - start));
            start = i + 1;
        }
        if (start < data.Count) result.Add((start, data.Count - start));
        return result;
    }

    [Fact]
    public void Twenty_thousand_mutated_messages_never_make_the_parser_throw()
    {
        var rng = new Random(4475);
        var before = SipParser.InternalFailures;
        var parsed = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var input = Mutate(rng, Seeds[rng.Next(Seeds.Length)]);
            var result = SipParser.ParseDatagram(input);
            if (result.IsSuccess)
            {
                parsed++;
                // Whatever parsed must serialize and parse again.
                var again = SipParser.ParseDatagram(result.Message.ToBytes(), new SipParserOptions { SupportedUriSchemes = null, MaxBodyBytes = int.MaxValue });
                Assert.True(again.IsSuccess, $"round trip #{i}: {again.Error}\n{result.Message}");
            }
            else
            {
                Assert.InRange(result.Error!.StatusCode, 400, 599);
                if (result.Error.CanRespond) _ = result.Error.CreateResponse().ToBytes();
            }
        }
        Assert.Equal(before, SipParser.InternalFailures);
        Assert.InRange(parsed, 1, 19_999); // the mutations hit both outcomes
    }

    [Fact]
    public void Mutated_streams_in_random_chunks_never_make_the_framer_throw()
    {
        var rng = new Random(5626);
        var before = SipParser.InternalFailures;
        for (var i = 0; i < 2_000; i++)
        {
            var stream = Enumerable.Range(0, rng.Next(1, 4)).SelectMany(_ => Mutate(rng, Seeds[rng.Next(Seeds.Length)])).ToArray();
            var framer = new SipStreamFramer();
            var offset = 0;
            while (offset < stream.Length)
            {
                var chunk = Math.Min(stream.Length - offset, rng.Next(1, 2048));
                framer.Append(stream.AsSpan(offset, chunk));
                offset += chunk;
                while (framer.TryRead(out _) == SipFrameStatus.Frame) { }
            }
        }
        Assert.Equal(before, SipParser.InternalFailures);
    }

    [Fact]
    public void Generated_sip_uris_round_trip_and_equal_themselves()
    {
        var token = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-.!~*'()&=+$,;?/%"], 1, 12];
        var host = Gen.OneOf(
            Gen.String[Gen.Char["abcdefghij0123456789-."], 1, 20].Where(h => h[0] != '-'),
            Gen.Int[1, 254].Array[4].Select(a => string.Join('.', a)),
            Gen.Const("[2001:db8::1]"));
        var gen = Gen.Select(Gen.Bool, token.Null(0.3), host, Gen.Int[0, 65535], token.Array[0, 3]);
        gen.Sample((secure, user, h, port, parameters) =>
        {
            var text = new StringBuilder(secure ? "sips:" : "sip:");
            if (user is not null) text.Append(UriEscaping.Escape(user, c => char.IsAsciiLetterOrDigit(c))).Append('@');
            text.Append(h);
            if (port > 0) text.Append(':').Append(port);
            foreach (var p in parameters) text.Append(';').Append(UriEscaping.Escape(p, c => char.IsAsciiLetterOrDigit(c)));
            var uri = SipUri.Parse(text.ToString());
            Assert.Equal(text.ToString(), uri.ToString());
            Assert.Equal(user, uri.UserUnescaped);
            Assert.Equal(uri, SipUri.Parse(uri.ToString()));
        }, iter: 2000);
    }
}
