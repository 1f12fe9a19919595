using System.Text;
using BenchmarkDotNet.Attributes;
using Routing.Sip.Message;
using Routing.Sip.Parsing;

namespace Routing.Benchmarks;

/// <summary>
/// SIP parser throughput on typical contact-centre traffic (an INVITE with SDP, a 200 OK, a REGISTER), plus the
/// serializer and the TCP framer. Target: at least 150k typical messages per second on one core.
/// </summary>
[MemoryDiagnoser]
public class SipParserBenchmarks
{
    private const string Sdp =
        "v=0\r\no=- 3912 3912 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" +
        "m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n";

    private static readonly string InviteText =
        "INVITE sip:sales@acd.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: \"Customer\" <sip:+15551230000@carrier.example.net>;tag=9fxced76sl\r\n" +
        "To: <sip:sales@acd.example.com>\r\n" +
        "Call-ID: 3848276298220188511@192.0.2.10\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Contact: <sip:+15551230000@192.0.2.10:5060>\r\n" +
        "Record-Route: <sip:sbc.example.net;lr>\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY\r\n" +
        "Supported: replaces, timer\r\n" +
        "User-Agent: Carrier-SBC/4.2\r\n" +
        "Content-Type: application/sdp\r\n" +
        $"Content-Length: {Sdp.Length}\r\n\r\n" + Sdp;

    private const string OkText =
        "SIP/2.0 200 OK\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK776asdhds;received=192.0.2.20;rport=5060\r\n" +
        "From: <sip:acd@acd.example.com>;tag=1928301774\r\n" +
        "To: <sip:agent1001@192.0.2.30>;tag=a6c85cf\r\n" +
        "Call-ID: a84b4c76e66710@acd.example.com\r\n" +
        "CSeq: 314159 BYE\r\n" +
        "Content-Length: 0\r\n\r\n";

    private const string RegisterText =
        "REGISTER sip:acd.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 192.0.2.30:51234;branch=z9hG4bKnashds7\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: <sip:agent1001@acd.example.com>;tag=a73kszlfl\r\n" +
        "To: <sip:agent1001@acd.example.com>\r\n" +
        "Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.30\r\n" +
        "CSeq: 2 REGISTER\r\n" +
        "Contact: <sip:agent1001@192.0.2.30:51234;transport=tcp>;expires=3600\r\n" +
        "Authorization: Digest username=\"agent1001\", realm=\"acd.example.com\", nonce=\"AAABlb3vVQ9x2m4R0Tq1c8rA3XvE\", " +
        "uri=\"sip:acd.example.com\", response=\"dfe56131d1958046689d83306477ecc\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"0a4f113b\"\r\n" +
        "Content-Length: 0\r\n\r\n";

    private byte[] _invite = null!;
    private byte[] _ok = null!;
    private byte[] _register = null!;
    private byte[] _stream = null!;
    private SipMessage _parsedInvite = null!;

    [GlobalSetup]
    public void Setup()
    {
        _invite = Encoding.UTF8.GetBytes(InviteText);
        _ok = Encoding.UTF8.GetBytes(OkText);
        _register = Encoding.UTF8.GetBytes(RegisterText);
        _stream = [.. _register, .. "\r\n\r\n"u8, .. _ok, .. _invite];
        _parsedInvite = SipParser.ParseDatagram(_invite).Message ?? throw new InvalidOperationException("benchmark INVITE does not parse");
    }

    [Benchmark(Baseline = true)]
    public SipMessage? ParseInvite() => SipParser.ParseDatagram(_invite).Message;

    [Benchmark]
    public SipMessage? ParseResponse() => SipParser.ParseDatagram(_ok).Message;

    [Benchmark]
    public SipMessage? ParseRegister() => SipParser.ParseDatagram(_register).Message;

    [Benchmark]
    public byte[] SerializeInvite() => _parsedInvite.ToBytes();

    [Benchmark]
    public int FrameTcpStream()
    {
        var framer = new SipStreamFramer();
        framer.Append(_stream);
        var count = 0;
        while (framer.TryRead(out _) == SipFrameStatus.Frame) count++;
        return count;
    }
}
