using System.Buffers.Binary;

namespace Routing.Media.Rtp;

/// <summary>
/// One RTP packet (RFC 3550 §5.1): the fixed header, CSRC list, optional header extension, payload and padding.
/// Immutable; relays derive rewritten copies with <c>with</c>. The payload may share memory with the datagram
/// it was parsed from.
/// </summary>
public sealed record RtpPacket
{
    public const int Version2 = 2;
    public const int FixedHeaderLength = 12;

    public int Version { get; init; } = Version2;
    public bool Marker { get; init; }
    public byte PayloadType { get; init; }
    public ushort SequenceNumber { get; init; }
    public uint Timestamp { get; init; }
    public uint Ssrc { get; init; }
    public IReadOnlyList<uint> Csrcs { get; init; } = [];
    public RtpHeaderExtension? Extension { get; init; }
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>Number of padding bytes after the payload (the last one holds the count); 0 for none.</summary>
    public byte PaddingLength { get; init; }

    public bool HasPadding => PaddingLength > 0;

    public int Length =>
        FixedHeaderLength + 4 * Csrcs.Count + (Extension is { } e ? 4 + e.Data.Length : 0) + Payload.Length + PaddingLength;

    /// <summary>Parses a datagram; returns false with a reason when it is not a well-formed RTP version 2 packet.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> datagram, out RtpPacket packet, out string? error)
    {
        packet = null!;
        var span = datagram.Span;
        if (span.Length < FixedHeaderLength) return Fail("shorter than the 12-byte RTP header", out error);
        var version = span[0] >> 6;
        if (version != Version2) return Fail($"RTP version {version}, expected 2", out error);
        var padding = (span[0] & 0x20) != 0;
        var hasExtension = (span[0] & 0x10) != 0;
        var csrcCount = span[0] & 0x0F;
        var offset = FixedHeaderLength + 4 * csrcCount;
        if (span.Length < offset) return Fail("CSRC list runs past the end", out error);

        var csrcs = csrcCount == 0 ? Array.Empty<uint>() : new uint[csrcCount];
        for (var i = 0; i < csrcCount; i++) csrcs[i] = BinaryPrimitives.ReadUInt32BigEndian(span[(12 + 4 * i)..]);

        RtpHeaderExtension? extension = null;
        if (hasExtension)
        {
            if (span.Length < offset + 4) return Fail("header extension runs past the end", out error);
            var profile = BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
            var words = BinaryPrimitives.ReadUInt16BigEndian(span[(offset + 2)..]);
            var dataLength = 4 * words;
            if (span.Length < offset + 4 + dataLength) return Fail("header extension runs past the end", out error);
            extension = new RtpHeaderExtension(profile, datagram.Slice(offset + 4, dataLength));
            offset += 4 + dataLength;
        }

        var end = span.Length;
        byte paddingLength = 0;
        if (padding)
        {
            paddingLength = span[^1];
            if (paddingLength == 0 || paddingLength > end - offset) return Fail("invalid padding count", out error);
            end -= paddingLength;
        }

        packet = new RtpPacket
        {
            Version = version,
            Marker = (span[1] & 0x80) != 0,
            PayloadType = (byte)(span[1] & 0x7F),
            SequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(span[2..]),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(span[4..]),
            Ssrc = BinaryPrimitives.ReadUInt32BigEndian(span[8..]),
            Csrcs = csrcs,
            Extension = extension,
            Payload = datagram[offset..end],
            PaddingLength = paddingLength,
        };
        error = null;
        return true;
    }

    public static RtpPacket Parse(ReadOnlyMemory<byte> datagram) =>
        TryParse(datagram, out var packet, out var error) ? packet : throw new FormatException($"Not an RTP packet: {error}.");

    /// <summary>Writes the packet into <paramref name="destination"/> and returns the number of bytes written.</summary>
    public int WriteTo(Span<byte> destination)
    {
        if (Csrcs.Count > 15) throw new InvalidOperationException("An RTP packet carries at most 15 CSRCs.");
        if (PayloadType > 127) throw new InvalidOperationException("The payload type is a 7-bit field.");
        if (Extension is { } ext && ext.Data.Length % 4 != 0)
            throw new InvalidOperationException("Header extension data must be a whole number of 32-bit words.");
        var length = Length;
        if (destination.Length < length) throw new ArgumentException($"Need {length} bytes.", nameof(destination));

        destination[0] = (byte)((Version2 << 6) | (HasPadding ? 0x20 : 0) | (Extension is null ? 0 : 0x10) | Csrcs.Count);
        destination[1] = (byte)((Marker ? 0x80 : 0) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Ssrc);
        var offset = FixedHeaderLength;
        foreach (var csrc in Csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], csrc);
            offset += 4;
        }
        if (Extension is { } extension)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], extension.Profile);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)(extension.Data.Length / 4));
            extension.Data.Span.CopyTo(destination[(offset + 4)..]);
            offset += 4 + extension.Data.Length;
        }
        Payload.Span.CopyTo(destination[offset..]);
        offset += Payload.Length;
        if (HasPadding)
        {
            destination.Slice(offset, PaddingLength - 1).Clear();
            destination[offset + PaddingLength - 1] = PaddingLength;
            offset += PaddingLength;
        }
        return offset;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public override string ToString() =>
        $"RTP pt={PayloadType} seq={SequenceNumber} ts={Timestamp} ssrc={Ssrc:x8}{(Marker ? " M" : "")} {Payload.Length}B";

    private static bool Fail(string reason, out string? error)
    {
        error = reason;
        return false;
    }
}

/// <summary>An RTP header extension (RFC 3550 §5.3.1): a profile-defined 16-bit value and whole 32-bit words of data.</summary>
public sealed record RtpHeaderExtension(ushort Profile, ReadOnlyMemory<byte> Data);
