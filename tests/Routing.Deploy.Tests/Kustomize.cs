using k8s;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Routing.Deploy.Tests;

/// <summary>
/// The part of `kustomize build` these manifests use, so the tests need no kubectl: resources (files and
/// directories), configMapGenerator (files, key=file, literals), secretGenerator (literals), strategic-merge patches
/// (maps merged key by key, lists of named items merged by name, other lists replaced), namespace, and kustomize's
/// default load restrictor (a file must be in or below the kustomization's directory; only a resource that is a
/// directory, such as ../../base, may be elsewhere). The result is loaded with KubernetesClient's typed models, as the
/// API server would read it.
/// </summary>
public static class Kustomize
{
    public sealed record Output(IReadOnlyList<Dictionary<object, object>> Raw, IReadOnlyList<object> Objects)
    {
        public IEnumerable<T> OfType<T>() => Objects.OfType<T>();
    }

    public static Output Build(string dir)
    {
        var raw = BuildRaw(dir);
        var serializer = new SerializerBuilder().Build();
        var objects = raw.SelectMany(d => KubernetesYaml.LoadAllFromString(serializer.Serialize(d))).ToList();
        return new Output(raw, objects);
    }

    /// <summary>The rendered documents as plain maps (tests change them to prove the checks can fail).</summary>
    public static List<Dictionary<object, object>> BuildRaw(string dir)
    {
        var k = (Dictionary<object, object>)LoadAll(Path.Combine(dir, "kustomization.yaml")).Single();
        var docs = new List<Dictionary<object, object>>();
        foreach (var r in List(k, "resources").Cast<string>())
        {
            var path = Path.GetFullPath(Path.Combine(dir, r));
            if (Directory.Exists(path)) docs.AddRange(BuildRaw(path));
            else docs.AddRange(LoadAll(InRoot(dir, r)).Cast<Dictionary<object, object>>());
        }
        foreach (var g in List(k, "configMapGenerator").Cast<Dictionary<object, object>>())
        {
            var data = new Dictionary<object, object>();
            foreach (var f in List(g, "files").Cast<string>())
            {
                var eq = f.IndexOf('=');
                var (key, file) = eq > 0 ? (f[..eq], f[(eq + 1)..]) : (Path.GetFileName(f), f);
                data[key] = File.ReadAllText(InRoot(dir, file));
            }
            foreach (var l in List(g, "literals").Cast<string>()) data[l[..l.IndexOf('=')]] = l[(l.IndexOf('=') + 1)..];
            docs.Add(new() { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new Dictionary<object, object> { ["name"] = g["name"] }, ["data"] = data });
        }
        foreach (var g in List(k, "secretGenerator").Cast<Dictionary<object, object>>())
        {
            // As kustomize writes it: base64 `data`, type Opaque.
            var data = List(g, "literals").Cast<string>().ToDictionary(l => (object)l[..l.IndexOf('=')],
                l => (object)Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(l[(l.IndexOf('=') + 1)..])));
            docs.Add(new() { ["apiVersion"] = "v1", ["kind"] = "Secret", ["type"] = "Opaque", ["metadata"] = new Dictionary<object, object> { ["name"] = g["name"] }, ["data"] = data });
        }
        foreach (var p in List(k, "patches").Cast<Dictionary<object, object>>())
        {
            foreach (var patch in LoadAll(InRoot(dir, (string)p["path"])).Cast<Dictionary<object, object>>())
            {
                var target = docs.SingleOrDefault(d => Equals(d["kind"], patch["kind"]) && Equals(Name(d), Name(patch)))
                    ?? throw new InvalidOperationException($"{p["path"]}: patch target {patch["kind"]}/{Name(patch)} does not exist");
                Merge(target, patch);
            }
        }
        if (k.TryGetValue("namespace", out var ns))
            foreach (var d in docs.Where(d => !Equals(d["kind"], "Namespace")))
                ((Dictionary<object, object>)d["metadata"])["namespace"] = ns;
        return docs;
    }

    /// <summary>kustomize's LoadRestrictionsRootOnly: a file outside the kustomization's directory is an error.</summary>
    public static string InRoot(string dir, string relative)
    {
        var root = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(dir, relative));
        if (!path.StartsWith(root, StringComparison.Ordinal))
            throw new InvalidOperationException($"{Path.Combine(dir, "kustomization.yaml")}: security; file '{relative}' is not in or below '{dir}'");
        if (!File.Exists(path)) throw new FileNotFoundException($"{Path.Combine(dir, "kustomization.yaml")}: '{relative}' does not exist", path);
        return path;
    }

    public static object? Name(Dictionary<object, object> doc) => ((Dictionary<object, object>)doc["metadata"]).GetValueOrDefault("name");

    private static List<object> List(Dictionary<object, object> map, string key) => map.TryGetValue(key, out var v) && v is List<object> l ? l : [];

    public static List<object> LoadAll(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(path))) stream.Load(reader);
        return [.. stream.Documents.Select(d => ToObject(d.RootNode)!)];
    }

    // Plain scalars that are numbers or booleans become those (replicas: 3); quoted ones stay strings ("4053").
    private static object? ToObject(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.ToDictionary(kv => (object)((YamlScalarNode)kv.Key).Value!, kv => ToObject(kv.Value)!),
        YamlSequenceNode s => s.Children.Select(ToObject).ToList(),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } v when long.TryParse(v.Value, out var n) => n,
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" } v => v.Value == "true",
        YamlScalarNode v => v.Value,
        _ => null,
    };

    /// <summary>Strategic merge as kubectl does it for these manifests.</summary>
    public static void Merge(Dictionary<object, object> target, Dictionary<object, object> patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is Dictionary<object, object> pm && target.GetValueOrDefault(key) is Dictionary<object, object> tm) Merge(tm, pm);
            else if (value is List<object> pl && target.GetValueOrDefault(key) is List<object> tl && pl.All(i => i is Dictionary<object, object> d && d.ContainsKey("name")))
            {
                foreach (Dictionary<object, object> item in pl)
                {
                    var existing = tl.OfType<Dictionary<object, object>>().FirstOrDefault(t => Equals(t.GetValueOrDefault("name"), item["name"]));
                    if (existing is null) tl.Add(item);
                    else Merge(existing, item);
                }
            }
            else target[key] = value;
        }
    }
}
