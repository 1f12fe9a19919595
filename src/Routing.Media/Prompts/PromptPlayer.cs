using Routing.Media.Codecs;

namespace Routing.Media.Prompts;

/// <summary>
/// Plays a sequence of prompts as one continuous stream of 20 ms G.711 frames: prompt boundaries fall anywhere
/// inside a frame, so "you are number" + "3" + "in the queue" has no gaps; the last frame is padded with silence.
/// With <c>loop</c> (music on hold) the sequence repeats until <see cref="Stop"/>. Not thread-safe.
/// </summary>
public sealed class PromptPlayer
{
    private readonly IReadOnlyList<Prompt> _prompts;
    private readonly bool _loop;
    private int _index;
    private int _offset;
    private bool _stopped;

    public PromptPlayer(IEnumerable<Prompt> prompts, G711Law law, bool loop = false, int samplesPerFrame = 160)
    {
        _prompts = prompts.ToList();
        if (samplesPerFrame <= 0) throw new ArgumentOutOfRangeException(nameof(samplesPerFrame));
        Law = law;
        _loop = loop && _prompts.Any(p => p.Samples.Length > 0);
        SamplesPerFrame = samplesPerFrame;
        SkipEmpty();
    }

    public G711Law Law { get; }
    public int SamplesPerFrame { get; }
    public long FramesPlayed { get; private set; }

    public bool IsFinished => _stopped || _index >= _prompts.Count;

    /// <summary>The prompt the next frame starts in, or null when finished.</summary>
    public Prompt? Current => IsFinished ? null : _prompts[_index];

    /// <summary>Fills one frame (<see cref="SamplesPerFrame"/> bytes); false, writing nothing, once the sequence is over.</summary>
    public bool TryReadFrame(Span<byte> frame)
    {
        if (frame.Length < SamplesPerFrame) throw new ArgumentException($"A frame is {SamplesPerFrame} bytes.", nameof(frame));
        if (IsFinished) return false;
        var written = 0;
        while (written < SamplesPerFrame && !IsFinished)
        {
            var samples = _prompts[_index].Samples.Span[_offset..];
            var take = Math.Min(samples.Length, SamplesPerFrame - written);
            G711.Encode(Law, samples[..take], frame.Slice(written, take));
            written += take;
            _offset += take;
            if (_offset == _prompts[_index].Samples.Length) NextPrompt();
        }
        frame[written..SamplesPerFrame].Fill(G711.Silence(Law));
        FramesPlayed++;
        return true;
    }

    public byte[]? NextFrame()
    {
        var frame = new byte[SamplesPerFrame];
        return TryReadFrame(frame) ? frame : null;
    }

    public void Stop() => _stopped = true;

    private void NextPrompt()
    {
        _index++;
        _offset = 0;
        if (_index >= _prompts.Count && _loop) _index = 0;
        SkipEmpty();
    }

    private void SkipEmpty()
    {
        while (_index < _prompts.Count && _prompts[_index].Samples.Length == 0)
        {
            _index++;
            if (_index >= _prompts.Count && _loop) _index = 0;
        }
    }
}
