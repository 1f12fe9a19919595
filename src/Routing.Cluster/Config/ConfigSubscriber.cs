using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Routing.Cluster.Entities;
using Routing.Cluster.Messages;
using Routing.Cluster.Sharding;

namespace Routing.Cluster.Config;

/// <summary>One per node: keeps <see cref="ConfigView"/> equal to the file plus the cluster's run-time changes.</summary>
public sealed class ConfigSubscriber : ReceiveActor, IWithTimers
{
    private readonly ConfigView _view;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TaskCompletionSource _loaded;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TaskCompletionSource loaded) => Akka.Actor.Props.Create(() => new ConfigSubscriber(loaded));

    public ConfigSubscriber(TaskCompletionSource loaded)
    {
        _loaded = loaded;
        _view = ConfigView.Get(Context.System);
        Receive<SubscribeAck>(_ => { });
        Receive<ConfigOverlay>(Apply);
        Receive<Fetch>(_ =>
        {
            Regions.Get(Context.System).Config.Tell(new ConfigStoreEnvelope(ConfigStoreActor.EntityName, new ConfigStoreCommand.GetOverlay()));
            Timers.StartSingleTimer("fetch", Fetch.Instance, TimeSpan.FromSeconds(2));
        });
    }

    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ConfigStoreActor.Topic, Self));
        Self.Tell(Fetch.Instance);
    }

    private void Apply(ConfigOverlay overlay)
    {
        Timers.Cancel("fetch");
        try
        {
            if (_view.ApplyOverlay(overlay))
                _log.Info("Configuration: {0} run-time change(s) applied on top of the file (version {1})", overlay.Changes.Length, overlay.Version);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Could not apply the run-time configuration changes (version {0}); keeping the previous configuration", overlay.Version);
        }
        // Only now may the node start serving: with the persisted changes in force, not just the file.
        _loaded.TrySetResult();
    }

    private sealed class Fetch
    {
        public static readonly Fetch Instance = new();
    }
}
