using System.Text.RegularExpressions;
using k8s.Models;

namespace Routing.Deploy.Tests;

/// <summary>
/// Every cross-reference of a rendered deployment that a typo would break at run time, as a list of problems (empty
/// when all is well): selectors and labels, ConfigMap/Secret names and keys, ports (probes, container ports, Service
/// target ports, the node's settings, preStop), environment variables used before they are defined, the seed list and
/// the routing nodes' host names against the StatefulSet and its headless Service, the hand-off time against the grace
/// period, the files the node is told to read against what is mounted.
/// </summary>
public static partial class CrossReferences
{
    public sealed record Workload(string Kind, string Name, string? Namespace, int Replicas, V1PodTemplateSpec Template, V1LabelSelector Selector, string? ServiceName, IReadOnlyList<string> Claims);

    /// <summary>Directories of the image (Dockerfile) that a volume must not hide: the node reads its shipped files there.</summary>
    public static readonly IReadOnlyList<string> ImageDirectories = ["/app", "/app/hocon", "/app/config", "/app/prompts", "/app/ctl"];

    /// <summary>Phases of Akka's coordinated shutdown after the sharding hand-off (cluster-exiting, actor-system-terminate: 10 s each).</summary>
    public const int ShutdownAfterHandoffSeconds = 20;

    public static IReadOnlyList<Workload> Workloads(Kustomize.Output o) =>
    [
        .. o.OfType<V1StatefulSet>().Select(s => new Workload("StatefulSet", s.Metadata.Name, s.Metadata.NamespaceProperty, s.Spec.Replicas ?? 1, s.Spec.Template, s.Spec.Selector, s.Spec.ServiceName,
            [.. (s.Spec.VolumeClaimTemplates ?? []).Select(t => t.Metadata.Name)])),
        .. o.OfType<V1Deployment>().Select(d => new Workload("Deployment", d.Metadata.Name, d.Metadata.NamespaceProperty, d.Spec.Replicas ?? 1, d.Spec.Template, d.Spec.Selector, null, [])),
    ];

    /// <summary>The Routing node containers (everything but the database).</summary>
    public static IEnumerable<(Workload W, V1Container C)> Nodes(Kustomize.Output o) =>
        Workloads(o).SelectMany(w => w.Template.Spec.Containers.Select(c => (w, c))).Where(x => x.c.Image.StartsWith("routing", StringComparison.Ordinal));

    private static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    [GeneratedRegex(@"dot-netty\.tcp\s*\{[^}]*?\bport\s*=\s*(\d+)", RegexOptions.Singleline)]
    private static partial Regex AkkaPort();

    [GeneratedRegex(@"handoff-timeout\s*=\s*(\d+)\s*s")]
    private static partial Regex HandoffTimeout();

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex EnvReference();

    public static int AkkaPortOf(string routingConf) =>
        AkkaPort().Match(routingConf) is { Success: true } m ? int.Parse(m.Groups[1].Value) : throw new InvalidOperationException("hocon/routing.conf: no akka.remote.dot-netty.tcp.port");

    public static int HandoffSecondsOf(string sbrConf) =>
        HandoffTimeout().Match(sbrConf) is { Success: true } m ? int.Parse(m.Groups[1].Value) : throw new InvalidOperationException("hocon/sbr.conf: no handoff-timeout in seconds");

    /// <summary>
    /// A variable's value as the kubelet makes it: $(VAR) replaced by an earlier variable of the same container (a
    /// later or unknown one stays literal, which is what <see cref="Problems"/> reports); downward-API fields become
    /// what <paramref name="field"/> says (e.g. metadata.name → "{pod}").
    /// </summary>
    public static string? Expand(V1Container c, string name, Func<string, string?> field)
    {
        var known = new Dictionary<string, string>();
        foreach (var e in c.Env ?? [])
        {
            var value = e.Value is { } v
                ? EnvReference().Replace(v, m => known.TryGetValue(m.Groups[1].Value, out var r) ? r : m.Value)
                : e.ValueFrom?.FieldRef?.FieldPath is { } f ? field(f) : null;
            if (value is not null) known[e.Name] = value;
            if (e.Name == name) return value;
        }
        return null;
    }

    /// <summary>The container's --roles (the node's default is every role).</summary>
    public static IReadOnlyList<string> Roles(V1Container c) =>
        c.Args?.IndexOf("--roles") is >= 0 and var i && i + 1 < c.Args.Count ? c.Args[i + 1].Split(',', StringSplitOptions.TrimEntries) : ["gateway", "routing", "api"];

    public static List<string> Problems(Kustomize.Output o, string repoRoot)
    {
        var problems = new List<string>();
        var workloads = Workloads(o);
        var configMaps = o.OfType<V1ConfigMap>().ToDictionary(c => c.Metadata.Name);
        var secrets = o.OfType<V1Secret>().ToDictionary(s => s.Metadata.Name);
        var services = o.OfType<V1Service>().ToList();
        var akkaPort = AkkaPortOf(File.ReadAllText(Path.Combine(repoRoot, "hocon", "routing.conf")));
        var handoff = HandoffSecondsOf(File.ReadAllText(Path.Combine(repoRoot, "hocon", "sbr.conf")));

        bool SecretHas(string name, string key) => secrets.TryGetValue(name, out var s) && (s.Data?.ContainsKey(key) == true || s.StringData?.ContainsKey(key) == true);
        bool ConfigMapHas(string name, string key) => configMaps.TryGetValue(name, out var c) && (c.Data?.ContainsKey(key) == true || c.BinaryData?.ContainsKey(key) == true);

        foreach (var w in workloads)
        {
            if (!Matches(w.Selector.MatchLabels, w.Template.Metadata.Labels))
                problems.Add($"{w.Kind} {w.Name}: its selector does not match its own pod labels");
            foreach (var c in w.Template.Spec.Containers)
            {
                var ports = c.Ports ?? [];
                var defined = new HashSet<string>();
                foreach (var env in c.Env ?? [])
                {
                    if (env.ValueFrom?.SecretKeyRef is { } s && !SecretHas(s.Name, s.Key))
                        problems.Add($"{w.Name}/{c.Name}: env {env.Name} names secret key {s.Name}/{s.Key}, which does not exist");
                    if (env.ValueFrom?.ConfigMapKeyRef is { } cm && !ConfigMapHas(cm.Name, cm.Key))
                        problems.Add($"{w.Name}/{c.Name}: env {env.Name} names config map key {cm.Name}/{cm.Key}, which does not exist");
                    // The kubelet expands $(VAR) only from variables listed before this one; otherwise the text stays literal.
                    foreach (Match m in EnvReference().Matches(env.Value ?? ""))
                        if (!defined.Contains(m.Groups[1].Value))
                            problems.Add($"{w.Name}/{c.Name}: env {env.Name} uses $({m.Groups[1].Value}), which is not defined before it");
                    defined.Add(env.Name);
                }
                foreach (var from in c.EnvFrom ?? [])
                {
                    if (from.SecretRef is { } s && !secrets.ContainsKey(s.Name)) problems.Add($"{w.Name}/{c.Name}: envFrom names secret {s.Name}, which does not exist");
                    if (from.ConfigMapRef is { } cm && !configMaps.ContainsKey(cm.Name)) problems.Add($"{w.Name}/{c.Name}: envFrom names config map {cm.Name}, which does not exist");
                }
                foreach (var (kind, probe) in new[] { ("startup", c.StartupProbe), ("liveness", c.LivenessProbe), ("readiness", c.ReadinessProbe) })
                {
                    if ((probe?.HttpGet?.Port ?? probe?.TcpSocket?.Port) is not { } port) continue;
                    var declared = int.TryParse(port.Value, out var n) ? ports.Any(p => p.ContainerPort == n) : ports.Any(p => p.Name == port.Value);
                    if (!declared) problems.Add($"{w.Name}/{c.Name}: {kind} probe port '{port.Value}' is not a container port");
                }
                foreach (var vm in c.VolumeMounts ?? [])
                {
                    if (w.Template.Spec.Volumes?.Any(v => v.Name == vm.Name) != true && !w.Claims.Contains(vm.Name)) problems.Add($"{w.Name}/{c.Name}: volume mount {vm.Name} names no volume of the pod");
                    if (c.Image.StartsWith("routing", StringComparison.Ordinal) && ImageDirectories.Contains(vm.MountPath.TrimEnd('/')))
                        problems.Add($"{w.Name}/{c.Name}: volume {vm.Name} is mounted over {vm.MountPath}, hiding what the image ships there");
                }
            }
            foreach (var v in w.Template.Spec.Volumes ?? [])
            {
                if (v.ConfigMap is { } cm)
                {
                    if (!configMaps.ContainsKey(cm.Name)) problems.Add($"{w.Name}: volume {v.Name} names config map {cm.Name}, which does not exist");
                    else foreach (var item in cm.Items ?? []) if (!ConfigMapHas(cm.Name, item.Key)) problems.Add($"{w.Name}: volume {v.Name} names config map key {cm.Name}/{item.Key}, which does not exist");
                }
                if (v.Secret is { } s)
                {
                    if (!secrets.ContainsKey(s.SecretName)) problems.Add($"{w.Name}: volume {v.Name} names secret {s.SecretName}, which does not exist");
                    else foreach (var item in s.Items ?? []) if (!SecretHas(s.SecretName, item.Key)) problems.Add($"{w.Name}: volume {v.Name} names secret key {s.SecretName}/{item.Key}, which does not exist");
                }
            }
            if (w.ServiceName is { } svcName)
            {
                var svc = services.FirstOrDefault(s => s.Metadata.Name == svcName);
                if (svc is null) problems.Add($"StatefulSet {w.Name}: serviceName {svcName} is not a Service");
                else
                {
                    if (svc.Spec.ClusterIP != "None") problems.Add($"StatefulSet {w.Name}: Service {svcName} is not headless (clusterIP: None)");
                    if (!Matches(svc.Spec.Selector, w.Template.Metadata.Labels)) problems.Add($"StatefulSet {w.Name}: its Service {svcName} does not select its pods");
                }
            }
        }

        foreach (var svc in services)
        {
            var targets = workloads.Where(w => Matches(svc.Spec.Selector, w.Template.Metadata.Labels)).ToList();
            if (targets.Count == 0) { problems.Add($"Service {svc.Metadata.Name}: its selector matches no workload's pods"); continue; }
            if (targets.Count > 1) problems.Add($"Service {svc.Metadata.Name}: its selector matches the pods of {string.Join(", ", targets.Select(t => t.Name))}");
            foreach (var p in svc.Spec.Ports)
            {
                var target = p.TargetPort?.Value ?? p.Port.ToString();
                var protocol = p.Protocol ?? "TCP";
                if (!targets.All(w => w.Template.Spec.Containers.Any(c => (c.Ports ?? []).Any(cp =>
                        (cp.Name == target || cp.ContainerPort.ToString() == target) && (cp.Protocol ?? "TCP") == protocol))))
                    problems.Add($"Service {svc.Metadata.Name}: target port '{target}'/{protocol} is not a port of every pod it selects");
            }
        }
        foreach (var pdb in o.OfType<V1PodDisruptionBudget>())
        {
            var targets = workloads.Where(w => Matches(pdb.Spec.Selector.MatchLabels, w.Template.Metadata.Labels)).ToList();
            if (targets.Count == 0) problems.Add($"PodDisruptionBudget {pdb.Metadata.Name}: its selector matches no workload's pods");
            if (targets.Count > 1) problems.Add($"PodDisruptionBudget {pdb.Metadata.Name}: its selector matches the pods of {string.Join(", ", targets.Select(t => t.Name))}");
        }

        var routing = workloads.FirstOrDefault(w => w.Kind == "StatefulSet" && w.Name == "routing");
        var headless = routing is null ? null : services.FirstOrDefault(s => s.Metadata.Name == routing.ServiceName);
        if (routing is null) problems.Add("no StatefulSet 'routing'");
        else if (headless is not null && headless.Spec.PublishNotReadyAddresses != true)
            problems.Add($"Service {headless.Metadata.Name}: the routing pods find each other (seeds, host names) through it before they are ready, so it must publish not-ready addresses");
        var clusterDomain = routing is null ? null : $"{routing.ServiceName}.{routing.Namespace ?? "default"}.svc.cluster.local";

        foreach (var (w, c) in Nodes(o))
        {
            var env = (c.Env ?? []).GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.Last());
            string? Value(string name) => env.GetValueOrDefault(name)?.Value;
            string? Expanded(string name) => Expand(c, name, f => f switch
            {
                "metadata.name" => "{pod}",
                "metadata.namespace" => w.Namespace ?? "default",
                "status.podIP" => "{podIP}",
                "status.hostIP" => "{hostIP}",
                _ => null,
            });
            int? Port(string name, string protocol = "TCP") => c.Ports?.FirstOrDefault(p => p.Name == name && (p.Protocol ?? "TCP") == protocol)?.ContainerPort;

            if (Port("akka") != akkaPort || Value("ROUTING_PORT") != akkaPort.ToString())
                problems.Add($"{w.Name}: akka port {Port("akka")} / ROUTING_PORT {Value("ROUTING_PORT")} is not hocon/routing.conf's {akkaPort}");
            if (Port("http") is not { } http || Value("ROUTING_HTTP_PORT") != http.ToString())
                problems.Add($"{w.Name}: http port {Port("http")} is not ROUTING_HTTP_PORT {Value("ROUTING_HTTP_PORT")}");
            var ctl = Port("ctl");
            if (ctl is null || Value("ROUTING_CTL_PORT") != ctl.ToString())
                problems.Add($"{w.Name}: ctl port {ctl} is not ROUTING_CTL_PORT {Value("ROUTING_CTL_PORT")}");
            var preStop = c.Lifecycle?.PreStop?.Exec?.Command;
            if (preStop is null || !preStop.SequenceEqual(["routingctl", $"127.0.0.1:{Value("ROUTING_CTL_PORT")}", "cluster", "leave"]))
                problems.Add($"{w.Name}: preStop is not `routingctl 127.0.0.1:{Value("ROUTING_CTL_PORT")} cluster leave`");
            if ((w.Template.Spec.TerminationGracePeriodSeconds ?? 30) <= handoff + ShutdownAfterHandoffSeconds)
                problems.Add($"{w.Name}: terminationGracePeriodSeconds {w.Template.Spec.TerminationGracePeriodSeconds} is not longer than the hand-off ({handoff} s) plus the rest of the leave ({ShutdownAfterHandoffSeconds} s)");
            if (env.GetValueOrDefault("ROUTING_CTL_KEY")?.ValueFrom?.SecretKeyRef is null)
                problems.Add($"{w.Name}: ROUTING_CTL_KEY does not come from a secret (preStop's routingctl reads it)");
            if (Value("ROUTING_BIND_HOSTNAME") != "0.0.0.0")
                problems.Add($"{w.Name}: ROUTING_BIND_HOSTNAME is '{Value("ROUTING_BIND_HOSTNAME")}', not 0.0.0.0 (Akka must accept connections on the pod's address)");

            // The address other nodes reach this one at: the routing pods' own stable DNS names; other pods' IPs.
            var hostname = Expanded("ROUTING_HOSTNAME");
            if (routing is not null && w.Kind == routing.Kind && w.Name == routing.Name)
            {
                if (hostname != $"{{pod}}.{clusterDomain}")
                    problems.Add($"{w.Name}: ROUTING_HOSTNAME is '{Value("ROUTING_HOSTNAME")}' ({hostname}), not $(POD_NAME).{clusterDomain}, the pod's stable DNS name");
            }
            else if (hostname is not ("{podIP}" or "{hostIP}"))
                problems.Add($"{w.Name}: ROUTING_HOSTNAME is '{Value("ROUTING_HOSTNAME")}', not the pod's IP (a Deployment's pods have no stable names)");

            // Seeds: pods of the routing StatefulSet that exist, through its headless Service, on the akka port.
            var seeds = Expanded("ROUTING_SEEDS")?.Split(',', StringSplitOptions.TrimEntries) ?? [];
            if (seeds.Length == 0) problems.Add($"{w.Name}: no ROUTING_SEEDS");
            foreach (var seed in seeds)
            {
                var m = Regex.Match(seed, @"^(?<pod>[a-z0-9-]+)-(?<ordinal>\d+)\.(?<domain>[a-z0-9.-]+):(?<port>\d+)$");
                if (!m.Success || routing is null) { problems.Add($"{w.Name}: seed '{seed}' is not <statefulset>-<n>.<service>.<namespace>.svc.cluster.local:<port>"); continue; }
                if (m.Groups["pod"].Value != routing.Name || int.Parse(m.Groups["ordinal"].Value) >= routing.Replicas)
                    problems.Add($"{w.Name}: seed '{seed}' names no pod of StatefulSet {routing.Name} (replicas {routing.Replicas})");
                if (m.Groups["domain"].Value != clusterDomain)
                    problems.Add($"{w.Name}: seed '{seed}' is not under the StatefulSet's headless Service ({clusterDomain})");
                if (int.Parse(m.Groups["port"].Value) != akkaPort) problems.Add($"{w.Name}: seed '{seed}' is not on the akka port {akkaPort}");
            }

            // Gateways: SIP on UDP and TCP at ROUTING_SIP_PORT; on the host network SDP must name the host and the pod
            // must still use the cluster's DNS (the seeds and postgres are cluster names).
            if (Roles(c).Contains("gateway"))
            {
                var sip = Value("ROUTING_SIP_PORT");
                if (sip is null || Port("sip-udp", "UDP")?.ToString() != sip || Port("sip-tcp")?.ToString() != sip)
                    problems.Add($"{w.Name}: SIP container ports (UDP {Port("sip-udp", "UDP")}, TCP {Port("sip-tcp")}) are not ROUTING_SIP_PORT {sip}");
                if (w.Template.Spec.HostNetwork == true)
                {
                    if (w.Template.Spec.DnsPolicy != "ClusterFirstWithHostNet")
                        problems.Add($"{w.Name}: on the host network without dnsPolicy ClusterFirstWithHostNet it cannot resolve the seeds");
                    if (Expanded("ROUTING_SIP_ADVERTISE") != "{hostIP}")
                        problems.Add($"{w.Name}: ROUTING_SIP_ADVERTISE is not the host's IP (status.hostIP), where its SIP and RTP ports are");
                }
            }

            // Files the node is told to read must be keys of a config map mounted there.
            var args = c.Args ?? [];
            for (var i = 0; i + 1 < args.Count; i++)
            {
                if (args[i] is not ("--hocon" or "--config")) continue;
                var file = args[i + 1].StartsWith('/') ? args[i + 1] : "/app/" + args[i + 1]; // WORKDIR /app
                var mount = (c.VolumeMounts ?? []).FirstOrDefault(vm => file.StartsWith(vm.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal));
                var volume = mount is null ? null : w.Template.Spec.Volumes?.FirstOrDefault(v => v.Name == mount.Name);
                var key = mount is null ? null : file[(mount.MountPath.TrimEnd('/').Length + 1)..];
                var items = volume?.ConfigMap?.Items;
                var mapKey = items is { Count: > 0 } ? items.FirstOrDefault(it => it.Path == key)?.Key : key;
                if (volume?.ConfigMap is null || mapKey is null || !ConfigMapHas(volume.ConfigMap.Name, mapKey))
                    problems.Add($"{w.Name}: {args[i]} {args[i + 1]} is not a key of a config map mounted there");
            }
        }
        return problems;
    }
}
