using Akka.Actor;
using Routing.Cluster.Entities;

namespace Routing.Gateway;

/// <summary>
/// The gateway's address in the cluster (<c>/user/gateway</c>): call entities send their channel instructions here and
/// watch it, so a call whose gateway node dies is closed as failed. It hands instructions to the SIP side.
/// </summary>
public sealed class GatewayActor : ReceiveActor
{
    public const string Name = "gateway";

    public GatewayActor(SipGateway gateway)
    {
        Receive<ChannelInstruction>(gateway.OnInstruction);
        Receive<CarriesCall>(m => Sender.Tell(new CallCarried(m.Call, gateway.Carries(m.Call)), Self));
    }

    public static Props Props(SipGateway gateway) => Akka.Actor.Props.Create(() => new GatewayActor(gateway));
}

/// <summary>The gateway role of a node.</summary>
public static class GatewayRole
{
    /// <summary>Starts the gateway role on a node: SIP sockets, registrar, and the actor call entities talk to.</summary>
    public static SipGateway Start(ActorSystem system, Cluster.Facade.IRoutingService routing, GatewayOptions options)
    {
        var gateway = new SipGateway(options, system, routing);
        var actor = system.ActorOf(GatewayActor.Props(gateway), GatewayActor.Name);
        gateway.Attach(actor, Akka.Cluster.Cluster.Get(system).SelfAddress);
        return gateway;
    }
}
