using System.Collections.Concurrent;
using Routing.Media.Rtp;

namespace Routing.Gateway.Media;

/// <summary>
/// One 20 ms clock for every leg that plays prompts on this node: a timer per leg would cost a thread-pool wake-up per
/// call per frame; one pacer on an absolute schedule sends a frame to each playing leg per tick, without drift.
/// </summary>
internal sealed class MediaClock : IDisposable
{
    private readonly ConcurrentDictionary<MediaLeg, byte> _playing = new();
    private readonly RtpPacer _pacer;
    private readonly byte[] _frame = new byte[160];

    public MediaClock(TimeProvider? time = null)
    {
        _pacer = new RtpPacer(time ?? TimeProvider.System, _ => Tick());
        _pacer.Start();
    }

    public int Playing => _playing.Count;

    public void Add(MediaLeg leg) => _playing.TryAdd(leg, 0);

    public void Remove(MediaLeg leg) => _playing.TryRemove(leg, out _);

    private void Tick()
    {
        foreach (var leg in _playing.Keys)
        {
            try
            {
                if (!leg.Tick(_frame)) Remove(leg);
            }
            catch (Exception)
            {
                Remove(leg); // one broken leg never stops the others' audio
            }
        }
    }

    public void Dispose() => _pacer.Dispose();
}
