using System.Text;

namespace Routing.Integration.Tests.Cluster;

/// <summary>The contact centre of the node-loss tests and the failover benchmark: one queue, eight operators.</summary>
public static class NodeLossConfig
{
    public const string Tenant = "cc";
    public const string Number = "4000";
    public const string QueueId = "calls";
    public static readonly IReadOnlyList<string> Operators = [.. Enumerable.Range(6001, 8).Select(i => i.ToString())];

    public static string ConfigYaml
    {
        get
        {
            var sb = new StringBuilder();
            sb.AppendLine("version: 1");
            sb.AppendLine("provider: { adminKey: cluster-admin-key }");
            sb.AppendLine("tenants:");
            sb.AppendLine($"  - id: {Tenant}");
            sb.AppendLine("    name: Node loss test");
            sb.AppendLine("    language: en");
            sb.AppendLine("    apiKey: cc-tenant-key");
            sb.AppendLine($"    numbers: [\"{Number}\"]");
            sb.AppendLine($"    defaultQueue: {QueueId}");
            sb.AppendLine("    queues:");
            sb.AppendLine($"      - id: {QueueId}");
            sb.AppendLine("        strategy: longest-idle");
            sb.AppendLine("        ringTimeout: 5s");
            sb.AppendLine("        noAnswerPause: 2s");
            sb.AppendLine("        overflow:");
            sb.AppendLine("          - { after: 12s, external: \"sip:overflow@partner.example\" }");
            sb.AppendLine("operators:");
            foreach (var op in Operators) sb.AppendLine($"  - {{ id: \"{op}\", password: pw{op}, wrapUp: 0s, tenants: [{Tenant}] }}");
            return sb.ToString();
        }
    }
}
