using System.Collections.Immutable;
using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;

namespace Routing.Gateway.Contacts;

/// <summary>
/// Keeps this gateway's entry in the cluster's replicated contact map (Akka Distributed Data, an OR-multi-map keyed
/// by the gateway's node address) and hands every new snapshot of the whole map to the SIP side. Only the owning
/// gateway writes its entry (the full set each time, so there is no add/remove race); any gateway removes the entry
/// of a node that left the cluster. Writes go to all nodes directly (falling back to gossip when one does not answer),
/// so a phone that registered on one gateway can be rung from another within a moment.
/// </summary>
public sealed class ContactDirectoryActor : ReceiveActor
{
    public const string Name = "gateway-contacts";

    /// <summary>The replicated map: node address → <see cref="ContactDirectory.Entry"/>.</summary>
    public static readonly ORMultiValueDictionaryKey<string, string> Key = new("routing-gateway-contacts");

    /// <summary>The operators this gateway has bindings for now (sent by the SIP side on every change).</summary>
    public sealed record Publish(IReadOnlyCollection<string> Operators);

    private static readonly IWriteConsistency Write = new WriteAll(TimeSpan.FromSeconds(3));
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _self;
    private readonly IPEndPoint _sip;
    private readonly Action<ContactDirectory> _changed;

    public ContactDirectoryActor(IPEndPoint sip, Action<ContactDirectory> changed)
    {
        _sip = sip;
        _changed = changed;
        _self = _cluster.SelfAddress.ToString();

        Receive<Publish>(p => Put(p.Operators));
        Receive<Changed>(c =>
        {
            var map = c.Get(Key);
            _changed(ContactDirectory.From(map.Entries.Select(kv => new KeyValuePair<string, IImmutableSet<string>>(kv.Key, kv.Value))));
        });
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            var node = m.Member.Address.ToString();
            if (node == _self) return;
            _replicator.Tell(Dsl.Update(Key, ORMultiValueDictionary<string, string>.Empty, WriteLocal.Instance, map => map.Remove(_cluster, node)));
        });
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(f => _log.Debug("contact map write not confirmed by every node ({0}); gossip spreads it", f.GetType().Name));
    }

    protected override void PreStart()
    {
        _replicator.Tell(Dsl.Subscribe(Key, Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
        Put([]); // a restarted gateway at the same address replaces what its previous run left
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _replicator.Tell(Dsl.Unsubscribe(Key, Self));
    }

    private void Put(IReadOnlyCollection<string> operators)
    {
        var entry = ContactDirectory.Entry(_sip, operators);
        _replicator.Tell(Dsl.Update(Key, ORMultiValueDictionary<string, string>.Empty, Write, map => map.SetItems(_cluster, _self, entry)));
    }

    public static Props Props(IPEndPoint sip, Action<ContactDirectory> changed) =>
        Akka.Actor.Props.Create(() => new ContactDirectoryActor(sip, changed));
}
