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

    private static Kustomize.Output Load(List<Dictionary<object, object>> raw)
    {
        var serializer = new YamlDotNet.Serialization.SerializerBuilder().Build();
        return new Kustomize.Output(raw, [.. raw.SelectMany(x => k8s.KubernetesYaml.LoadAllFromString(serializer.Serialize(x)))]);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_cross_reference_holds(string layout)
    {
        var problems = CrossReferences.Problems(Build(layout), RepoRoot);
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
        Assert.Equal("StatefulSet", workloads["postgres"].Kind);
        Assert.NotEmpty(o.OfType<V1StatefulSet>().Single(s => s.Metadata.Name == "postgres").Spec.VolumeClaimTemplates);
        Assert.Contains(o.OfType<V1Namespace>(), n => n.Metadata.Name == "routing");
        Assert.All(o.Objects.Where(x => x is not V1Namespace).Cast<k8s.IKubernetesObject<V1ObjectMeta>>(), x => Assert.Equal("routing", x.Metadata.NamespaceProperty));

        var services = o.OfType<V1Service>().ToDictionary(s => s.Metadata.Name);
        Assert.Equal("None", services["routing"].Spec.ClusterIP);
        Assert.True(services["routing"].Spec.PublishNotReadyAddresses);
        Assert.Contains(services["routing"].Spec.Ports, p => p.Port == 4053);
        Assert.Contains(services["routing-api"].Spec.Ports, p => p.Port == 8080);
        Assert.Contains(services["postgres"].Spec.Ports, p => p.Port == 5432);
        Assert.Equal(["TCP", "UDP"], services["routing-sip"].Spec.Ports.Where(p => p.Port == 5060).Select(p => p.Protocol).Order());

        var gateway = workloads["gateway"].Template.Spec;
        Assert.True(gateway.HostNetwork); // the RTP range lives on the host's address
        Assert.Equal("ClusterFirstWithHostNet", gateway.DnsPolicy);
        Assert.Contains("--rtp-ports", gateway.Containers.Single().Args);

        foreach (var (w, c) in CrossReferences.Nodes(o))
        {
            Assert.Equal("/healthz", c.LivenessProbe.HttpGet.Path);
            Assert.Equal("/ready", c.ReadinessProbe.HttpGet.Path);
            Assert.Equal("http", c.LivenessProbe.HttpGet.Port.Value);
            Assert.Equal([w.Name], CrossReferences.Roles(c));
            Assert.Equal("/app/hocon-k8s/postgres.conf", c.Args[c.Args.IndexOf("--hocon") + 1]);
            Assert.Equal(["routingctl", "127.0.0.1:9110", "cluster", "leave"], c.Lifecycle.PreStop.Exec.Command);
            Assert.Equal(60, w.Template.Spec.TerminationGracePeriodSeconds);
            foreach (var (variable, key) in new[] { ("ROUTING_ADMIN_KEY", "admin-key"), ("ROUTING_CTL_KEY", "ctl-key"), ("ROUTING_DB_CONNECTION", "db-connection") })
                Assert.Equal(("routing-secrets", key), c.Env.Single(e => e.Name == variable).ValueFrom.SecretKeyRef.Let(r => (r.Name, r.Key)));
        }
        var pdbs = o.OfType<V1PodDisruptionBudget>().ToDictionary(p => p.Metadata.Name);
        Assert.Equal(["api", "gateway", "postgres", "routing"], pdbs.Keys.Order());
        Assert.Equal("1", pdbs["routing"].Spec.MaxUnavailable.Value);
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
        var baseNode = small["routing"].Template.Spec.Containers.Single();
        Assert.Equal("2", node.Resources.Requests["cpu"].ToString());
        Assert.True(node.Resources.Requests["memory"].ToDecimal() > baseNode.Resources.Requests["memory"].ToDecimal());
        Assert.NotNull(node.LivenessProbe);
        Assert.Equal(baseNode.Args, node.Args);
        Assert.Equal(baseNode.Env.Select(e => e.Name), node.Env.Select(e => e.Name));
    }

    [Fact]
    public void The_copies_under_k8s_base_are_byte_identical_to_the_repository_files()
    {
        var copies = Path.Combine(RepoRoot, "k8s", "base");
        var originals = Directory.GetFiles(Path.Combine(RepoRoot, "hocon"), "*.conf").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(originals, Directory.GetFiles(Path.Combine(copies, "hocon")).Select(Path.GetFileName).Order());
        foreach (var name in originals)
            Assert.True(File.ReadAllBytes(Path.Combine(RepoRoot, "hocon", name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(copies, "hocon", name!))),
                $"k8s/base/hocon/{name} differs from hocon/{name}: copy it again (cp hocon/{name} k8s/base/hocon/)");
        Assert.Equal(["demo.yaml"], Directory.GetFiles(Path.Combine(copies, "config")).Select(Path.GetFileName));
        Assert.True(File.ReadAllBytes(Path.Combine(RepoRoot, "config", "demo.yaml")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(copies, "config", "demo.yaml"))),
            "k8s/base/config/demo.yaml differs from config/demo.yaml: copy it again");

        // And the ConfigMaps carry exactly those files.
        var o = Build("k8s/base");
        var hocon = o.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "routing-hocon");
        Assert.Equal(originals, hocon.Data.Keys.Order());
        foreach (var (key, text) in hocon.Data) Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot, "hocon", key)), text);
        var provider = o.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "routing-provider");
        Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot, "config", "demo.yaml")), Assert.Single(provider.Data).Value);
        Assert.Equal("demo.yaml", provider.Data.Keys.Single());
    }

    [Fact]
    public void The_secrets_are_generated_with_every_key_and_visible_placeholders()
    {
        var secret = Build("k8s/base").OfType<V1Secret>().Single(s => s.Metadata.Name == "routing-secrets");
        Assert.Equal(["admin-key", "ctl-key", "db-connection", "postgres-password"], secret.Data.Keys.Order());
        var values = secret.Data.ToDictionary(kv => kv.Key, kv => System.Text.Encoding.UTF8.GetString(kv.Value));
        Assert.All(values.Values, v => Assert.Contains("change-me", v));
        // The connection string names the postgres Service and carries the same password as the database.
        Assert.Contains("Host=postgres;Port=5432;Database=routing;Username=routing;", values["db-connection"]);
        Assert.Contains($"Password={values["postgres-password"]};", values["db-connection"] + ";");
    }

    [Fact]
    public void The_checks_catch_a_broken_reference()
    {
        // Each mutation breaks one reference the way a careless edit would; the checker must name it.
        (string Layout, Action<List<Dictionary<object, object>>> Break, string Expected)[] cases =
        [
            ("base", d => Labels(Doc(d, "Deployment", "api"))["app.kubernetes.io/component"] = "apis", "Service routing-api: its selector matches no workload's pods"),
            ("base", d => ((Dictionary<object, object>)Spec(Doc(d, "Service", "routing"))["selector"]).Remove("app.kubernetes.io/component"), "Service routing: its selector matches the pods of"),
            ("base", d => Selector(Doc(d, "PodDisruptionBudget", "gateway"))["app.kubernetes.io/component"] = "gateways", "PodDisruptionBudget gateway: its selector matches no workload's pods"),
            ("base", d => Env(Doc(d, "StatefulSet", "routing"), "ROUTING_DB_CONNECTION", e => Ref(e)["key"] = "db-conection"), "secret key routing-secrets/db-conection"),
            ("base", d => Volume(Doc(d, "Deployment", "gateway"), "hocon")["name"] = "routing-hoconn", "names config map routing-hoconn, which does not exist"),
            ("base", d => Env(Doc(d, "StatefulSet", "routing"), "ROUTING_SEEDS", e => e["value"] = "routing-3.routing.$(POD_NAMESPACE).svc.cluster.local:4053"), "names no pod of StatefulSet routing"),
            ("base", d => Env(Doc(d, "Deployment", "api"), "ROUTING_SEEDS", e => e["value"] = "routing-0.routing.default.svc.cluster.local:4053"), "is not under the StatefulSet's headless Service (routing.routing.svc.cluster.local)"),
            ("base", d => Env(Doc(d, "Deployment", "api"), "ROUTING_SEEDS", e => e["value"] = "routing-0.routing.routing.svc.cluster.local:4054"), "is not on the akka port 4053"),
            ("base", d => MoveEnvToEnd(Doc(d, "StatefulSet", "routing"), "POD_NAMESPACE"), "uses $(POD_NAMESPACE), which is not defined before it"),
            ("base", d => Env(Doc(d, "StatefulSet", "routing"), "ROUTING_HOSTNAME", e => e["value"] = "$(POD_NAMESPACE).routing.svc.cluster.local"), "not $(POD_NAME).routing.routing.svc.cluster.local"),
            ("base", d => Env(Doc(d, "Deployment", "gateway"), "ROUTING_CTL_PORT", e => e["value"] = "9111"), "ctl port 9110 is not ROUTING_CTL_PORT 9111"),
            ("base", d => Container(Doc(d, "Deployment", "api"))["lifecycle"] = Map("preStop", Map("exec", Map("command", new List<object> { "routingctl", "127.0.0.1:9111", "cluster", "leave" }))), "api: preStop is not `routingctl 127.0.0.1:9110 cluster leave`"),
            ("base", d => Container(Doc(d, "StatefulSet", "routing"))["args"] = new List<object> { "--roles", "routing", "--hocon", "/app/hocon-k8s/postgress.conf" }, "--hocon /app/hocon-k8s/postgress.conf is not a key"),
            ("base", d => Container(Doc(d, "StatefulSet", "routing"))["args"] = new List<object> { "--roles", "routing", "--hocon", "hocon/postgres.conf" }, "--hocon hocon/postgres.conf is not a key"),
            ("base", d => Mount(Doc(d, "Deployment", "api"), "hocon")["mountPath"] = "/app/hocon", "mounted over /app/hocon, hiding what the image ships"),
            ("base", d => Spec(Doc(d, "Service", "routing"))["publishNotReadyAddresses"] = false, "must publish not-ready addresses"),
            ("base", d => Spec(Doc(d, "Service", "routing")).Remove("clusterIP"), "Service routing is not headless"),
            ("base", d => Probe(Doc(d, "Deployment", "api"))["port"] = "metrics", "readiness probe port 'metrics' is not a container port"),
            ("base", d => Probe(Doc(d, "StatefulSet", "routing"))["port"] = 8081L, "readiness probe port '8081' is not a container port"),
            ("base", d => Spec(Template(Doc(d, "StatefulSet", "routing")))["terminationGracePeriodSeconds"] = 30L, "terminationGracePeriodSeconds 30"),
            ("base", d => Spec(Template(Doc(d, "Deployment", "gateway"))).Remove("dnsPolicy"), "cannot resolve the seeds"),
            ("base", d => Env(Doc(d, "Deployment", "gateway"), "ROUTING_SIP_PORT", e => e["value"] = "5070"), "are not ROUTING_SIP_PORT 5070"),
            ("base", d => Ports(Doc(d, "StatefulSet", "routing"), "akka")["containerPort"] = 4054L, "akka port 4054"),
            ("small", d => Spec(Doc(d, "StatefulSet", "routing"))["replicas"] = 2L, "seed 'routing-2.routing.routing.svc.cluster.local:4053' names no pod of StatefulSet routing (replicas 2)"),
        ];
        foreach (var layout in new[] { "base", "small" })
            Assert.Empty(CrossReferences.Problems(Load(Kustomize.BuildRaw(Dir(layout))), RepoRoot));
        foreach (var (layout, mutate, expected) in cases)
        {
            var raw = Kustomize.BuildRaw(Dir(layout));
            mutate(raw);
            var problems = CrossReferences.Problems(Load(raw), RepoRoot);
            Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"expected a problem containing \"{expected}\"; got:\n{string.Join("\n", problems)}");
        }

        static string Dir(string layout) => Path.Combine(RepoRoot, "k8s", layout == "base" ? "base" : Path.Combine("overlays", layout));
    }

    [Fact]
    public void The_loader_refuses_files_outside_the_kustomization_as_kustomize_does()
    {
        var dir = Directory.CreateTempSubdirectory("routing-kustomize-");
        try
        {
            var inner = Directory.CreateDirectory(Path.Combine(dir.FullName, "k"));
            File.WriteAllText(Path.Combine(dir.FullName, "outside.conf"), "a = 1\n");
            File.WriteAllText(Path.Combine(inner.FullName, "kustomization.yaml"),
                "configMapGenerator:\n  - name: x\n    files:\n      - ../outside.conf\n");
            var e = Assert.Throws<InvalidOperationException>(() => Kustomize.BuildRaw(inner.FullName));
            Assert.Contains("is not in or below", e.Message);

            File.WriteAllText(Path.Combine(inner.FullName, "inside.conf"), "a = 1\n");
            File.WriteAllText(Path.Combine(inner.FullName, "kustomization.yaml"),
                "configMapGenerator:\n  - name: x\n    files:\n      - inside.conf\n");
            Assert.Equal("a = 1\n", ((Dictionary<object, object>)Assert.Single(Kustomize.BuildRaw(inner.FullName))["data"])["inside.conf"]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_dockerfile_builds_the_node_and_the_cli_and_runs_the_node()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(RepoRoot, "Dockerfile"));
        var from = dockerfile.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, from.Count);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", from[0]);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", from[1]);
        var text = string.Join('\n', dockerfile);
        Assert.Contains("dotnet publish src/Routing.Node/Routing.Node.csproj -c Release", text);
        Assert.Contains("dotnet publish src/Routing.Ctl/Routing.Ctl.csproj -c Release", text);
        Assert.Contains("exec dotnet /app/ctl/Routing.Ctl.dll", text);
        Assert.Contains("/usr/local/bin/routingctl", text); // the preStop hook calls it by name
        Assert.Contains("COPY --from=build /src/hocon/ /app/hocon/", dockerfile);
        Assert.Contains("COPY --from=build /src/config/ /app/config/", dockerfile);
        Assert.Contains("espeak-ng", text);
        Assert.Contains("sox", text);
        Assert.Equal("ENTRYPOINT [\"dotnet\", \"/app/Routing.Node.dll\"]", dockerfile.Single(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)));
        Assert.Contains(dockerfile, l => l.StartsWith("USER ", StringComparison.Ordinal) && !l.Contains("root") && l.Trim() != "USER 0");
        // The manifests' relative paths (and the node's shipped hocon/) are under the image's working directory.
        Assert.Equal("WORKDIR /app", dockerfile.Last(l => l.StartsWith("WORKDIR", StringComparison.Ordinal)));
        // Every port a manifest declares for a node is exposed (UDP for SIP too).
        var expose = dockerfile.Single(l => l.StartsWith("EXPOSE", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToHashSet();
        foreach (var (_, c) in CrossReferences.Nodes(Build("k8s/base")))
            foreach (var p in c.Ports)
                Assert.Contains(p.Protocol == "UDP" ? $"{p.ContainerPort}/udp" : p.Name.StartsWith("sip", StringComparison.Ordinal) ? $"{p.ContainerPort}/tcp" : $"{p.ContainerPort}", expose);
        var ignore = File.ReadAllLines(Path.Combine(RepoRoot, ".dockerignore"));
        foreach (var dir in new[] { "bin/", "obj/", "TestResults/", "data/" }) Assert.Contains(ignore, l => l.TrimEnd().EndsWith(dir, StringComparison.Ordinal));
    }

    private static Dictionary<object, object> Map(string key, object value) => new() { [key] = value };

    private static Dictionary<object, object> Doc(List<Dictionary<object, object>> docs, string kind, string name) =>
        docs.Single(d => Equals(d["kind"], kind) && Equals(Kustomize.Name(d), name));

    private static Dictionary<object, object> Spec(Dictionary<object, object> d) => (Dictionary<object, object>)d["spec"];

    private static Dictionary<object, object> Template(Dictionary<object, object> d) => (Dictionary<object, object>)Spec(d)["template"];

    private static Dictionary<object, object> Selector(Dictionary<object, object> d) =>
        (Dictionary<object, object>)((Dictionary<object, object>)Spec(d)["selector"])["matchLabels"];

    private static Dictionary<object, object> Labels(Dictionary<object, object> d) =>
        (Dictionary<object, object>)((Dictionary<object, object>)Template(d)["metadata"])["labels"];

    private static Dictionary<object, object> Container(Dictionary<object, object> d) =>
        (Dictionary<object, object>)((List<object>)Spec(Template(d))["containers"])[0];

    private static Dictionary<object, object> Probe(Dictionary<object, object> d) =>
        (Dictionary<object, object>)((Dictionary<object, object>)Container(d)["readinessProbe"])["httpGet"];

    private static Dictionary<object, object> Named(object list, string name) =>
        ((List<object>)list).Cast<Dictionary<object, object>>().Single(e => Equals(e["name"], name));

    private static Dictionary<object, object> Ports(Dictionary<object, object> d, string name) => Named(Container(d)["ports"], name);

    private static Dictionary<object, object> Mount(Dictionary<object, object> d, string name) => Named(Container(d)["volumeMounts"], name);

    private static Dictionary<object, object> Volume(Dictionary<object, object> d, string name) =>
        (Dictionary<object, object>)Named(Spec(Template(d))["volumes"], name)["configMap"];

    private static Dictionary<object, object> Ref(Dictionary<object, object> env) =>
        (Dictionary<object, object>)((Dictionary<object, object>)env["valueFrom"])["secretKeyRef"];

    private static void Env(Dictionary<object, object> d, string name, Action<Dictionary<object, object>> change) =>
        change(Named(Container(d)["env"], name));

    private static void MoveEnvToEnd(Dictionary<object, object> d, string name)
    {
        var env = (List<object>)Container(d)["env"];
        var e = Named(env, name);
        env.Remove(e);
        env.Add(e);
    }
}

internal static class Fluent
{
    public static TResult Let<T, TResult>(this T value, Func<T, TResult> f) => f(value);
}
