namespace Routing.Media.Rtp;

/// <summary>
/// Calls <c>tick</c> once per frame interval (20 ms by default) on an absolute schedule taken from a
/// <see cref="TimeProvider"/>: frame n is due at start + n × interval, so timer jitter never accumulates into
/// drift. After a stall the missed frames are sent back to back, up to <see cref="MaxCatchUpFrames"/>; older
/// ones are skipped (reported to the tick as a frame index gap) rather than played late.
/// </summary>
public sealed class RtpPacer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Action<long> _tick;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private long _startTicks;
    private long _nextFrame;

    /// <param name="tick">Called with the index of the frame that is due (0, 1, 2 ...); never concurrently.</param>
    public RtpPacer(TimeProvider time, Action<long> tick, TimeSpan? interval = null)
    {
        _time = time;
        _tick = tick;
        Interval = interval ?? TimeSpan.FromMilliseconds(20);
        if (Interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval));
    }

    public TimeSpan Interval { get; }
    public int MaxCatchUpFrames { get; init; } = 5;
    public bool IsRunning => _timer is not null;

    /// <summary>Frames ticked so far.</summary>
    public long FramesSent { get; private set; }

    /// <summary>Frames given up after a stall longer than <see cref="MaxCatchUpFrames"/>.</summary>
    public long FramesSkipped { get; private set; }

    /// <summary>Ticks frame 0 at once, then one frame per interval.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_timer is not null) return;
            _startTicks = _time.GetTimestamp();
            _nextFrame = 0;
            _timer = _time.CreateTimer(_ => OnTimer(), null, Interval, Interval);
            OnTimer();
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    public void Dispose() => Stop();

    internal void OnTimer()
    {
        lock (_gate)
        {
            if (_timer is null) return;
            var elapsed = _time.GetElapsedTime(_startTicks);
            var due = elapsed.Ticks / Interval.Ticks; // index of the latest frame that is due
            if (due - _nextFrame >= MaxCatchUpFrames)
            {
                var skip = due - _nextFrame - MaxCatchUpFrames + 1;
                FramesSkipped += skip;
                _nextFrame += skip;
            }
            while (_nextFrame <= due)
            {
                _tick(_nextFrame++);
                FramesSent++;
            }
        }
    }
}
