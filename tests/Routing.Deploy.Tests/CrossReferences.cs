using System.Text.RegularExpressions;
using k8s.Models;

namespace Routing.Deploy.Tests;

/// <summary>
/// Every cross-reference of a rendered deployment a typo would break at run time, as a list of problems (empty when
/// all is well): selectors and labels, ConfigMap/Secret names and keys, ports (probes, container ports, the node's
/// settings, preStop), the seed list against the StatefulSet, hand-off time against the grace period, the files the
/// node is told to read against what is mounted.
/// </summary>
public static partial class CrossReferences
{
    public sealed record Workload(string Kind, string Name, int Replicas, V1PodTemplateSpec Template, V1LabelSelector Selector, string? ServiceName);

    public static IReadOnlyList<Workload> Workloads(Kustomize.Output o) =>
    [
        .. o.OfType<V1StatefulSet>().Select(s => new Workload("StatefulSet", s.Metadata.Name, s.Spec.Replicas ?? 1, s.Spec.Template, s.Spec.Selector, s.Spec.ServiceName)),
        .. o.OfType<V1Deployment>().Select(d => new Workload("Deployment", d.Metadata.Name, d.Spec.Replicas ?? 1, d.Spec.Template, d.Spec.Selector, null)),
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

    public static int AkkaPortOf(string routingConf) => int.Parse(AkkaPort().Match(routingConf).Groups[1].Value);

    public static int HandoffSecondsOf(string sbrConf) => int.Parse(HandoffTimeout().Match(sbrConf).Groups[1].Value);

    public static List<string> Problems(Kustomize.Output o, string repoRoot)
    {
        var problems = new List<string>();
        var workloads = Workloads(o);
        var configMaps = o.OfType<V1ConfigMap>().ToDictionary(c => c.Metadata.Name);
        var secrets = o.OfType<V1Secret>().ToDictionary(s => s.Metadata.Name);
        var services = o.OfType<V1Service>().ToList();
        var akkaPort = AkkaPortOf(File.ReadAllText(Path.Combine(repoRoot, "hocon", "routing.conf")));
        var handoff = HandoffSecondsOf(File.ReadAllText(Path.Combine(repoRoot, "hocon", "sbr.conf")));

        foreach (var w in workloads)
        {
            if (!Matches(w.Selector.MatchLabels, w.Template.Metadata.Labels))
                problems.Add($"{w.Kind} {w.Name}: its selector does not match its own pod labels");
            foreach (var c in w.Template.Spec.Containers)
            {
                var ports = c.Ports ?? [];
                foreach (var env in c.Env ?? [])
                {
                    if (env.ValueFrom?.SecretKeyRef is { } s && !(secrets.TryGetValue(s.Name, out var sec) && (sec.StringData?.ContainsKey(s.Key) == true || sec.Data?.ContainsKey(s.Key) == true)))
                        problems.Add($"{w.Name}/{c.Name}: env {env.Name} names secret key {s.Name}/{s.Key}, which does not exist");
                    if (env.ValueFrom?.ConfigMapKeyRef is { } cm && !(configMaps.TryGetValue(cm.Name, out var map) && map.Data?.ContainsKey(cm.Key) == true))
                        problems.Add($"{w.Name}/{c.Name}: env {env.Name} names config map key {cm.Name}/{cm.Key}, which does not exist");
                }
                foreach (var probe in new[] { ("startup", c.StartupProbe), ("liveness", c.LivenessProbe), ("readiness", c.ReadinessProbe) }.Where(p => p.Item2?.HttpGet is not null))
                {
                    var port = probe.Item2!.HttpGet.Port;
                    var declared = port.Value is { } v && int.TryParse(v, out var n) ? ports.Any(p => p.ContainerPort == n) : ports.Any(p => p.Name == port.Value);
                    if (!declared) problems.Add($"{w.Name}/{c.Name}: {probe.Item1} probe port '{port.Value}' is not a container port");
                }
            }
            foreach (var v in w.Template.Spec.Volumes ?? [])
            {
                if (v.ConfigMap is { } cm && !configMaps.ContainsKey(cm.Name)) problems.Add($"{w.Name}: volume {v.Name} names config map {cm.Name}, which does not exist");
                if (v.Secret is { } s && !secrets.ContainsKey(s.SecretName)) problems.Add($"{w.Name}: volume {v.Name} names secret {s.SecretName}, which does not exist");
            }
            if (w.ServiceName is { } svcName)
            {
                var svc = services.FirstOrDefault(s => s.Metadata.Name == svcName);
                if (svc is null) problems.Add($"StatefulSet {w.Name}: serviceName {svcName} is not a Service");
                else if (svc.Spec.ClusterIP != "None") problems.Add($"StatefulSet {w.Name}: Service {svcName} is not headless");
            }
        }

        foreach (var svc in services)
        {
            var targets = workloads.Where(w => Matches(svc.Spec.Selector, w.Template.Metadata.Labels)).ToList();
            if (targets.Count == 0) { problems.Add($"Service {svc.Metadata.Name}: its selector matches no workload's pods"); continue; }
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
            if (!workloads.Any(w => Matches(pdb.Spec.Selector.MatchLabels, w.Template.Metadata.Labels)))
                problems.Add($"PodDisruptionBudget {pdb.Metadata.Name}: its selector matches no workload's pods");

        var routing = workloads.FirstOrDefault(w => w.Kind == "StatefulSet" && w.Name == "routing");
        if (routing is null) problems.Add("no StatefulSet 'routing'");
        foreach (var (w, c) in Nodes(o))
        {
            var env = (c.Env ?? []).ToDictionary(e => e.Name, e => e.Value);
            int? Port(string name) => c.Ports?.FirstOrDefault(p => p.Name == name)?.ContainerPort;
            if (Port("akka") != akkaPort || env.GetValueOrDefault("ROUTING_PORT") != akkaPort.ToString())
                problems.Add($"{w.Name}: akka port {Port("akka")} / ROUTING_PORT {env.GetValueOrDefault("ROUTING_PORT")} is not hocon/routing.conf's {akkaPort}");
            if (Port("http") is not { } http || env.GetValueOrDefault("ROUTING_HTTP_PORT") != http.ToString())
                problems.Add($"{w.Name}: http port {Port("http")} is not ROUTING_HTTP_PORT {env.GetValueOrDefault("ROUTING_HTTP_PORT")}");
            var ctl = Port("ctl");
            if (ctl is null || env.GetValueOrDefault("ROUTING_CTL_PORT") != ctl.ToString())
                problems.Add($"{w.Name}: ctl port {ctl} is not ROUTING_CTL_PORT {env.GetValueOrDefault("ROUTING_CTL_PORT")}");
            var preStop = c.Lifecycle?.PreStop?.Exec?.Command;
            if (preStop is null || !preStop.SequenceEqual(["routingctl", $"127.0.0.1:{ctl}", "cluster", "leave"]))
                problems.Add($"{w.Name}: preStop is not `routingctl 127.0.0.1:{ctl} cluster leave`");
            if ((w.Template.Spec.TerminationGracePeriodSeconds ?? 30) <= handoff + 10)
                problems.Add($"{w.Name}: terminationGracePeriodSeconds {w.Template.Spec.TerminationGracePeriodSeconds} is not longer than the hand-off ({handoff} s) plus leaving");
            if (!(c.Env ?? []).Any(e => e.Name == "ROUTING_CTL_KEY" && e.ValueFrom?.SecretKeyRef is not null))
                problems.Add($"{w.Name}: ROUTING_CTL_KEY does not come from a secret");

            // Seeds: pods of the routing StatefulSet that exist, through its headless service, on the akka port.
            var seeds = env.GetValueOrDefault("ROUTING_SEEDS")?.Split(',') ?? [];
            if (seeds.Length == 0) problems.Add($"{w.Name}: no ROUTING_SEEDS");
            foreach (var seed in seeds)
            {
                var m = Regex.Match(seed, @"^(?<pod>[a-z0-9-]+)-(?<ordinal>\d+)\.(?<svc>[a-z0-9-]+)\.\$\(POD_NAMESPACE\)\.svc\.cluster\.local:(?<port>\d+)$");
                if (!m.Success || routing is null) { problems.Add($"{w.Name}: seed '{seed}' is not <statefulset>-<n>.<service>.$(POD_NAMESPACE).svc.cluster.local:<port>"); continue; }
                if (m.Groups["pod"].Value != routing.Name || int.Parse(m.Groups["ordinal"].Value) >= routing.Replicas)
                    problems.Add($"{w.Name}: seed '{seed}' names no pod of StatefulSet {routing.Name} (replicas {routing.Replicas})");
                if (m.Groups["svc"].Value != routing.ServiceName)
                    problems.Add($"{w.Name}: seed '{seed}' is not under the StatefulSet's service {routing.ServiceName}");
                if (services.FirstOrDefault(s => s.Metadata.Name == m.Groups["svc"].Value) is { } hs && hs.Spec.PublishNotReadyAddresses != true)
                    problems.Add($"Service {hs.Metadata.Name}: seeds resolve through it, so it must publish not-ready addresses");
                if (int.Parse(m.Groups["port"].Value) != akkaPort) problems.Add($"{w.Name}: seed '{seed}' is not on the akka port {akkaPort}");
            }
            if (env.GetValueOrDefault("POD_NAMESPACE") is null && !(c.Env ?? []).Any(e => e.Name == "POD_NAMESPACE" && e.ValueFrom?.FieldRef?.FieldPath == "metadata.namespace"))
                problems.Add($"{w.Name}: POD_NAMESPACE is not taken from the pod's namespace");

            // Files the node is told to read must be in a mounted config map (or shipped in the image).
            var args = c.Args ?? [];
            for (var i = 0; i + 1 < args.Count; i++)
            {
                if (args[i] is not ("--hocon" or "--config")) continue;
                var file = args[i + 1].StartsWith('/') ? args[i + 1] : "/app/" + args[i + 1];
                var mount = (c.VolumeMounts ?? []).FirstOrDefault(vm => file.StartsWith(vm.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal));
                var volume = mount is null ? null : w.Template.Spec.Volumes?.FirstOrDefault(v => v.Name == mount.Name);
                var key = mount is null ? null : file[(mount.MountPath.TrimEnd('/').Length + 1)..];
                if (volume?.ConfigMap is null || !configMaps.TryGetValue(volume.ConfigMap.Name, out var map) || map.Data?.ContainsKey(key!) != true)
                    problems.Add($"{w.Name}: {args[i]} {args[i + 1]} is not a key of a config map mounted there");
            }
        }
        return problems;
    }
}
