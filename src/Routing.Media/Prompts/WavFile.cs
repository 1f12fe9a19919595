using System.Buffers.Binary;
using Routing.Media.Codecs;

namespace Routing.Media.Prompts;

/// <summary>Thrown for a WAV file that is malformed or not in a format prompts can use.</summary>
public sealed class WavFormatException(string message) : FormatException(message);

/// <summary>Sample encodings accepted for prompts.</summary>
public enum WavEncoding
{
    Pcm16,
    MuLaw,
    ALaw,
}

/// <summary>
/// A RIFF/WAVE file reduced to what telephony needs: 8 kHz mono, 16-bit PCM or G.711 (also inside
/// WAVE_FORMAT_EXTENSIBLE). Chunks other than fmt and data (LIST, fact ...) are skipped with their pad byte;
/// anything else is rejected with a message naming what was found.
/// </summary>
public sealed class WavFile
{
    public const int RequiredSampleRate = 8000;

    private const ushort FormatPcm = 1;
    private const ushort FormatALaw = 6;
    private const ushort FormatMuLaw = 7;
    private const ushort FormatExtensible = 0xFFFE;

    private WavFile(WavEncoding encoding, short[] samples)
    {
        Encoding = encoding;
        Samples = samples;
    }

    /// <summary>How the file stored its samples.</summary>
    public WavEncoding Encoding { get; }

    /// <summary>The audio as 16-bit linear samples (G.711 files are decoded).</summary>
    public short[] Samples { get; }

    public TimeSpan Duration => TimeSpan.FromSeconds(Samples.Length / (double)RequiredSampleRate);

    public static WavFile Load(string path)
    {
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (WavFormatException e)
        {
            throw new WavFormatException($"{path}: {e.Message}");
        }
    }

    public static WavFile Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes[8..12].SequenceEqual("WAVE"u8))
            throw new WavFormatException("not a RIFF/WAVE file");

        ushort? format = null;
        int channels = 0, sampleRate = 0, bitsPerSample = 0;
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(bytes.Slice(offset, 4));
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(offset + 4)..]);
            var body = offset + 8;
            var available = bytes.Length - body;
            if (id == "fmt ")
            {
                if (size < 16 || size > available) throw new WavFormatException("fmt chunk is truncated");
                var fmt = bytes.Slice(body, (int)size);
                format = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                sampleRate = (int)BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
                bitsPerSample = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
                if (format == FormatExtensible)
                {
                    if (size < 40) throw new WavFormatException("WAVE_FORMAT_EXTENSIBLE fmt chunk is truncated");
                    format = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]); // first two bytes of the subformat GUID
                }
            }
            else if (id == "data")
            {
                if (format is null) throw new WavFormatException("data chunk before fmt chunk");
                var encoding = Check(format.Value, channels, sampleRate, bitsPerSample);
                // Writers streaming to a pipe leave the size at 0 or 0xFFFFFFFF: then the data runs to the end.
                var length = size is 0 or uint.MaxValue ? available : size <= available ? (int)size : throw new WavFormatException("data chunk is truncated");
                return new WavFile(encoding, Decode(encoding, bytes.Slice(body, length)));
            }
            offset = body + (int)Math.Min(size + (size & 1), int.MaxValue - body); // chunks are word aligned
        }
        throw new WavFormatException(format is null ? "no fmt chunk" : "no data chunk");
    }

    private static WavEncoding Check(ushort format, int channels, int sampleRate, int bitsPerSample)
    {
        var encoding = (format, bitsPerSample) switch
        {
            (FormatPcm, 16) => WavEncoding.Pcm16,
            (FormatMuLaw, 8) => WavEncoding.MuLaw,
            (FormatALaw, 8) => WavEncoding.ALaw,
            _ => throw new WavFormatException(
                $"format {format} with {bitsPerSample} bits per sample is not supported; use 16-bit PCM, 8-bit mu-law or 8-bit A-law"),
        };
        if (sampleRate != RequiredSampleRate)
            throw new WavFormatException($"{sampleRate} Hz is not supported; prompts must be {RequiredSampleRate} Hz (sox in.wav -r 8000 -c 1 out.wav)");
        if (channels != 1) throw new WavFormatException($"{channels} channels; prompts must be mono");
        return encoding;
    }

    private static short[] Decode(WavEncoding encoding, ReadOnlySpan<byte> data)
    {
        switch (encoding)
        {
            case WavEncoding.Pcm16:
            {
                var samples = new short[data.Length / 2];
                for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]);
                return samples;
            }
            default:
            {
                var samples = new short[data.Length];
                G711.Decode(encoding == WavEncoding.MuLaw ? G711Law.MuLaw : G711Law.ALaw, data, samples);
                return samples;
            }
        }
    }
}
