using k8s.Models;
using Xunit;

namespace Routing.Deploy.Tests;

public sealed class ManifestTests
{
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Routing.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Routing.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static TheoryData<string> Layouts => new() { "k8s/base", "k8s/overlays/small", "k8s/overlays/large" };

    private static Kustomize.Output Build(string layout) => Kustomize.Build(Path.Combine(RepoRoot, layout));

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_cross_reference_holds(string layout)
    {
        var o = Build(layout);
        var problems = CrossReferences.Problems(o, RepoRoot);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_role_has_its_workload_service_probes_and_disruption_budget(string layout)
    {
        var o = Build(layout);
        var workloads = CrossReferences.Workloads(o).ToDictionary(w => w.Name);
        Assert.Equal(["api", "gateway", "postgres", "routing"], workloads.Keys.Order());
        Assert.Equal("StatefulSet", workloads["routing"].Kind);
        Assert.All(o.Objects.Where(x => x is not V1Namespace).Cast<k8s.IKubernetesObject<V1ObjectMeta>>(), x => Assert.Equal("routing", x.Metadata.NamespaceProperty));

        var headless = o.OfType<V1Service>().Single(s => s.Metadata.Name == "routing");
        Assert.Equal("None", headless.Spec.ClusterIP);
        Assert.True(headless.Spec.PublishNotReadyAddresses);

        var sip = o.OfType<V1Service>().Single(s => s.Metadata.Name == "routing-sip");
        Assert.Equal(["TCP", "UDP"], sip.Spec.Ports.Where(p => p.Port == 5060).Select(p => p.Protocol).Order());
        var gateway = workloads["gateway"].Template.Spec;
        Assert.True(gateway.HostNetwork); // the RTP range lives on the host's address
        Assert.Contains("--rtp-ports", gateway.Containers.Single().Args);

        foreach (var (w, c) in CrossReferences.Nodes(o))
        {
            Assert.Equal("/healthz", c.LivenessProbe.HttpGet.Path);
            Assert.Equal("/ready", c.ReadinessProbe.HttpGet.Path);
            Assert.Equal(w.Name == "routing" ? "routing" : w.Name, c.Args[c.Args.IndexOf("--roles") + 1]);
        }
        Assert.Equal(["api", "gateway", "postgres", "routing"], o.OfType<V1PodDisruptionBudget>().Select(p => p.Metadata.Name).Order());
        Assert.Equal(1, o.OfType<V1PodDisruptionBudget>().Single(p => p.Metadata.Name == "routing").Spec.MaxUnavailable.Value is "1" ? 1 : int.Parse(o.OfType<V1PodDisruptionBudget>().Single(p => p.Metadata.Name == "routing").Spec.MaxUnavailable.Value));
    }

    [Fact]
    public void The_overlays_size_the_cluster_and_keep_a_majority_able_to_lose_a_node()
    {
        var small = CrossReferences.Workloads(Build("k8s/overlays/small")).ToDictionary(w => w.Name);
        var large = CrossReferences.Workloads(Build("k8s/overlays/large")).ToDictionary(w => w.Name);
        Assert.Equal((3, 1, 1), (small["routing"].Replicas, small["gateway"].Replicas, small["api"].Replicas));
        Assert.Equal((7, 3, 2), (large["routing"].Replicas, large["gateway"].Replicas, large["api"].Replicas));
        Assert.All(new[] { small["routing"].Replicas, large["routing"].Replicas }, n => Assert.True(n % 2 == 1 && n >= 3, "keep-majority wants an odd count of at least 3"));
        // The large overlay's patch changed the routing node's resources and kept everything else of the container.
        var node = large["routing"].Template.Spec.Containers.Single();
        Assert.Equal("2", node.Resources.Requests["cpu"].ToString());
        Assert.NotNull(node.LivenessProbe);
        Assert.Contains("--hocon", node.Args);
    }

    [Fact]
    public void The_copies_of_the_hocon_files_and_the_provider_configuration_are_the_repositorys()
    {
        var o = Build("k8s/base");
        var hocon = o.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "routing-hocon");
        // Mounted over /app/hocon, so it must hold every file a node always reads, plus postgres.conf.
        Assert.Equal(["postgres.conf", "routing.conf", "sbr.conf", "single-node.conf"], hocon.Data.Keys.Order());
        foreach (var (key, text) in hocon.Data) Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot, "hocon", key)), text);
        Assert.Equal(Directory.GetFiles(Path.Combine(RepoRoot, "hocon"), "*.conf").Select(Path.GetFileName).Order(), hocon.Data.Keys.Order());
        var provider = o.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "routing-provider");
        Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot, "config", "demo.yaml")), provider.Data["provider.yaml"]);
    }

    [Fact]
    public void The_checks_catch_a_broken_reference()
    {
        // Each mutation breaks one reference the way a careless edit would; the checker must name it.
        (Action<List<Dictionary<object, object>>> Break, string Expected)[] cases =
        [
            (d => Labels(Doc(d, "Deployment", "api"))["app.kubernetes.io/component"] = "apis", "Service routing-api: its selector matches no workload's pods"),
            (d => Env(Doc(d, "StatefulSet", "routing"), "ROUTING_DB_CONNECTION", e => Ref(e)["key"] = "db-conection"), "secret key routing-secrets/db-conection"),
            (d => Env(Doc(d, "StatefulSet", "routing"), "ROUTING_SEEDS", e => e["value"] = "routing-3.routing.$(POD_NAMESPACE).svc.cluster.local:4053"), "names no pod of StatefulSet routing"),
            (d => Env(Doc(d, "Deployment", "gateway"), "ROUTING_CTL_PORT", e => e["value"] = "9111"), "ctl port 9110 is not ROUTING_CTL_PORT 9111"),
            (d => Container(Doc(d, "StatefulSet", "routing"))["args"] = new List<object> { "--roles", "routing", "--hocon", "hocon/postgress.conf" }, "--hocon hocon/postgress.conf is not a key"),
            (d => Spec(Doc(d, "Service", "routing"))["publishNotReadyAddresses"] = false, "must publish not-ready addresses"),
            (d => Probe(Doc(d, "Deployment", "api"))["port"] = "metrics", "readiness probe port 'metrics' is not a container port"),
            (d => ((Dictionary<object, object>)Spec(Doc(d, "StatefulSet", "routing"))["template"]).Let(t => Spec(t)["terminationGracePeriodSeconds"] = 20L), "terminationGracePeriodSeconds 20"),
        ];
        foreach (var (mutate, expected) in cases)
        {
            var raw = Kustomize.BuildRaw(Path.Combine(RepoRoot, "k8s", "base"));
            mutate(raw);
            var serializer = new YamlDotNet.Serialization.SerializerBuilder().Build();
            var o = new Kustomize.Output(raw, [.. raw.SelectMany(x => k8s.KubernetesYaml.LoadAllFromString(serializer.Serialize(x)))]);
            Assert.Contains(CrossReferences.Problems(o, RepoRoot), p => p.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_dockerfile_builds_the_node_and_the_cli_and_runs_the_node()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(RepoRoot, "Dockerfile"));
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", dockerfile.First(l => l.StartsWith("FROM", StringComparison.Ordinal)));
        Assert.Equal(2, dockerfile.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)));
        var text = string.Join('\n', dockerfile);
        Assert.Contains("dotnet publish src/Routing.Node/Routing.Node.csproj", text);
        Assert.Contains("dotnet publish src/Routing.Ctl/Routing.Ctl.csproj", text);
        Assert.Contains("/usr/local/bin/routingctl", text); // the preStop hook calls it by name
        Assert.Equal("ENTRYPOINT [\"dotnet\", \"/app/Routing.Node.dll\"]", dockerfile.Single(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)));
        Assert.Contains(dockerfile, l => l.StartsWith("USER ", StringComparison.Ordinal) && !l.Contains("root"));
        // Every port a manifest declares for a node is exposed (UDP for SIP too).
        var expose = dockerfile.Single(l => l.StartsWith("EXPOSE", StringComparison.Ordinal)).Split(' ').Skip(1).ToHashSet();
        foreach (var (_, c) in CrossReferences.Nodes(Build("k8s/base")))
            foreach (var p in c.Ports)
                Assert.Contains(p.Protocol == "UDP" ? $"{p.ContainerPort}/udp" : p.Name.StartsWith("sip", StringComparison.Ordinal) ? $"{p.ContainerPort}/tcp" : $"{p.ContainerPort}", expose);
        // The manifests mount the hocon/ directory where the image's WORKDIR makes the node look for it.
        Assert.Contains("WORKDIR /app", dockerfile);
    }

    private static Dictionary<object, object> Doc(List<Dictionary<object, object>> docs, string kind, string name) =>
        docs.Single(d => Equals(d["kind"], kind) && Equals(Kustomize.Name(d), name));

    private static Dictionary<object, object> Spec(Dictionary<object, object> d) => (Dictionary<object, object>)d["spec"];

    private static Dictionary<object, object> Template(Dictionary<object, object> d) => (Dictionary<object, object>)Spec(d)["template"];

    private static Dictionary<object, object> Labels(Dictionary<object, object> d) =>
        (Dictionary<object, object>)((Dictionary<object, object>)Template(d)["metadata"])["labels"];

    private static Dictionary<object, object> Container(Dictionary<object, object> d) =>
        (Dictionary<object, object>)((List<object>)Spec(Template(d))["containers"])[0];

    private static Dictionary<object, object> Probe(Dictionary<object, object> d) =>
        (Dictionary<object, object>)((Dictionary<object, object>)Container(d)["readinessProbe"])["httpGet"];

    private static Dictionary<object, object> Ref(Dictionary<object, object> env) =>
        (Dictionary<object, object>)((Dictionary<object, object>)env["valueFrom"])["secretKeyRef"];

    private static void Env(Dictionary<object, object> d, string name, Action<Dictionary<object, object>> change) =>
        change(((List<object>)Container(d)["env"]).Cast<Dictionary<object, object>>().Single(e => Equals(e["name"], name)));
}

internal static class Fluent
{
    public static void Let<T>(this T value, Action<T> act) => act(value);
}
