using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Persistence;
using Routing.Cluster.Messages;

namespace Routing.Cluster.Entities;

/// <summary>
/// The journal of run-time configuration changes (one entity for the provider). Each change is kept in the
/// config file format; every node applies the list on top of its file and hears of new changes by pub-sub.
/// </summary>
public sealed class ConfigStoreActor : ReceivePersistentActor
{
    public const string Topic = "routing-config";
    public const string EntityName = "provider";

    private ImmutableArray<ConfigChangeRecorded> _changes = [];
    private readonly TimeProvider _clock;

    public static Props Props(TimeProvider clock) => Akka.Actor.Props.Create(() => new ConfigStoreActor(clock));

    public ConfigStoreActor(TimeProvider clock)
    {
        _clock = clock;
        Recover<ConfigChangeRecorded>(e => _changes = Fold(_changes, e));
        Command<ConfigStoreEnvelope>(m =>
        {
            switch (m.Command)
            {
                case ConfigStoreCommand.GetOverlay:
                    Sender.Tell(Overlay);
                    break;
                case ConfigStoreCommand.Record r:
                    var sender = Sender;
                    Persist(new ConfigChangeRecorded(_clock.GetUtcNow(), r.Kind, r.Id, r.Text), e =>
                    {
                        _changes = Fold(_changes, e);
                        sender.Tell(Overlay);
                        DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(Topic, Overlay));
                    });
                    break;
            }
        });
    }

    public override string PersistenceId => "config-provider";

    private ConfigOverlay Overlay => new(LastSequenceNr, _changes);

    /// <summary>Only the latest change per object matters: older ones are dropped so the list stays bounded.</summary>
    private static ImmutableArray<ConfigChangeRecorded> Fold(ImmutableArray<ConfigChangeRecorded> changes, ConfigChangeRecorded e) =>
        [.. changes.Where(c => !(c.Kind == e.Kind && c.Id == e.Id)), e];
}
