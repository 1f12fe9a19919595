using System.Collections.Immutable;
using System.Globalization;
using System.Net;

namespace Routing.Gateway.Contacts;

/// <summary>One gateway node as the cluster knows it: its Akka address and where it answers SIP.</summary>
public sealed record GatewayContact(string Node, IPEndPoint Sip);

/// <summary>
/// Which gateway holds each operator's registration, cluster-wide. A phone's binding stays on the gateway that took the
/// REGISTER (only that gateway can reach it through the operator's NAT and over the phone's own TCP connection); every
/// gateway publishes the operators it has bindings for under its own entry, and this snapshot of all entries lets a
/// gateway whose caller is routed to an operator registered elsewhere ring the operator through that gateway.
/// An entry is a set of strings: <c>sip=host:port</c> once, and <c>op=&lt;operator&gt;</c> for each registered operator.
/// Immutable; built from the replicated map on every change.
/// </summary>
public sealed class ContactDirectory
{
    private const string SipPrefix = "sip=";
    private const string OperatorPrefix = "op=";

    private readonly ImmutableDictionary<string, ImmutableList<GatewayContact>> _byOperator;
    private readonly ImmutableDictionary<string, GatewayContact> _byNode;

    private ContactDirectory(ImmutableDictionary<string, GatewayContact> byNode, ImmutableDictionary<string, ImmutableList<GatewayContact>> byOperator)
    {
        _byNode = byNode;
        _byOperator = byOperator;
    }

    public static ContactDirectory Empty { get; } = new(ImmutableDictionary<string, GatewayContact>.Empty, ImmutableDictionary<string, ImmutableList<GatewayContact>>.Empty);

    /// <summary>Every gateway known, by node address.</summary>
    public IReadOnlyCollection<GatewayContact> Gateways => _byNode.Values.ToList();

    /// <summary>The entry a gateway publishes for itself.</summary>
    public static ImmutableHashSet<string> Entry(IPEndPoint sip, IEnumerable<string> operators) =>
        [SipPrefix + sip, .. operators.Select(o => OperatorPrefix + o)];

    /// <summary>Builds the snapshot from the replicated entries (node address → its set of strings). Entries without a
    /// readable SIP end point are skipped: a gateway nobody can reach is no use to route through.</summary>
    public static ContactDirectory From(IEnumerable<KeyValuePair<string, IImmutableSet<string>>> entries)
    {
        var nodes = ImmutableDictionary.CreateBuilder<string, GatewayContact>(StringComparer.Ordinal);
        var ops = new Dictionary<string, ImmutableList<GatewayContact>>(StringComparer.Ordinal);
        foreach (var (node, values) in entries)
        {
            var sip = values.FirstOrDefault(v => v.StartsWith(SipPrefix, StringComparison.Ordinal));
            if (sip is null || !IPEndPoint.TryParse(sip[SipPrefix.Length..], out var endPoint) || endPoint.Port == 0) continue;
            var gateway = new GatewayContact(node, endPoint);
            nodes[node] = gateway;
            foreach (var v in values)
            {
                if (!v.StartsWith(OperatorPrefix, StringComparison.Ordinal)) continue;
                var op = v[OperatorPrefix.Length..];
                ops[op] = ops.TryGetValue(op, out var list) ? list.Add(gateway) : [gateway];
            }
        }
        return new ContactDirectory(nodes.ToImmutable(), ops.ToImmutableDictionary(StringComparer.Ordinal));
    }

    /// <summary>The gateways other than <paramref name="selfNode"/> holding a binding of <paramref name="op"/>, in a stable
    /// order (by node address), leaving out nodes <paramref name="usable"/> rejects (unreachable, leaving).</summary>
    public IReadOnlyList<GatewayContact> Locate(string op, string selfNode, Func<string, bool>? usable = null) =>
        _byOperator.TryGetValue(op, out var list)
            ? list.Where(g => g.Node != selfNode && (usable?.Invoke(g.Node) ?? true)).OrderBy(g => g.Node, StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Whether a SIP message from <paramref name="source"/> comes from a gateway of the cluster (the address and
    /// port it publishes: gateways send from their SIP socket).</summary>
    public bool IsGateway(IPEndPoint source) => _byNode.Values.Any(g => g.Sip.Equals(source));

    /// <summary>Whether a SIP URI's host (and port, when given) names one of the cluster's gateways.</summary>
    public bool IsGatewayHost(string host, int? port) =>
        _byNode.Values.Any(g => string.Equals(g.Sip.Address.ToString(), host, StringComparison.OrdinalIgnoreCase) && (port is null || port == g.Sip.Port));

    public override string ToString() =>
        string.Join("; ", _byNode.Values.Select(g => g.Node + " " + g.Sip.ToString()).Order(StringComparer.Ordinal)) +
        " | " + string.Join(", ", _byOperator.Select(kv => kv.Key + "@" + kv.Value.Count.ToString(CultureInfo.InvariantCulture)));
}
