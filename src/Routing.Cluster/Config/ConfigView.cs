using Akka.Actor;
using Routing.Domain.Config;

namespace Routing.Cluster.Config;

/// <summary>
/// The configuration in force on this node: the file loaded at start-up with the persisted run-time changes
/// on top. One per ActorSystem; entities read <see cref="Current"/> whenever they need it.
/// </summary>
public sealed class ConfigView : IExtension
{
    private volatile Snapshot _current = new(ProviderConfig.Empty, 0);

    public ProviderConfig Current => _current.Config;

    /// <summary>Increases with every change, so readers can tell cheaply whether to rebuild derived state.</summary>
    public long Version => _current.Version;

    public ProviderConfig File { get; private set; } = ProviderConfig.Empty;

    public long OverlayVersion { get; private set; } = -1;

    public event Action<ProviderConfig>? Changed;

    internal void Initialise(ProviderConfig file)
    {
        File = file;
        Publish(file);
    }

    internal void Publish(ProviderConfig config)
    {
        lock (this)
        {
            _current = new Snapshot(config, _current.Version + 1);
        }
        Changed?.Invoke(config);
    }

    /// <summary>Apply the cluster's run-time changes on top of the file, unless a newer set was applied already.</summary>
    internal bool ApplyOverlay(Messages.ConfigOverlay overlay)
    {
        lock (this)
        {
            if (overlay.Version <= OverlayVersion) return false;
            var merged = ConfigOverlayMerge.Apply(File, overlay.Changes);
            OverlayVersion = overlay.Version;
            _current = new Snapshot(merged, _current.Version + 1);
        }
        Changed?.Invoke(Current);
        return true;
    }

    private sealed record Snapshot(ProviderConfig Config, long Version);

    public static ConfigView Get(ActorSystem system) => system.WithExtension<ConfigView, ConfigViewProvider>();
}

public sealed class ConfigViewProvider : ExtensionIdProvider<ConfigView>
{
    public override ConfigView CreateExtension(ExtendedActorSystem system) => new();
}
