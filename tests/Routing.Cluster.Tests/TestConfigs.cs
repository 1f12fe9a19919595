using System.Collections.Immutable;
using Routing.Domain;
using Routing.Domain.Config;

namespace Routing.Cluster.Tests;

/// <summary>Configurations built in code, so these tests do not depend on the file format.</summary>
public static class TestConfigs
{
    public static readonly TenantId Demo = new("demo");
    public static readonly QueueId Sales = QueueId.Of(Demo, "sales");
    public static readonly QueueId Support = QueueId.Of(Demo, "support");

    public static OperatorConfig Operator(string id, int tier = 1, int wrapUp = 0, params (string Skill, int Level)[] skills) => new(
        new OperatorId(id), $"Operator {id}", $"pw{id}",
        skills.ToImmutableDictionary(s => s.Skill, s => s.Level), tier, [Demo], wrapUp);

    public static ProviderConfig Build(int ringTimeoutSeconds = 20, int noAnswerPause = 30, MenuNode? menu = null,
        IEnumerable<OperatorConfig>? operators = null, ImmutableArray<OverflowRule>? salesOverflow = null)
    {
        var sales = QueueConfig.Create(Sales) with
        {
            Requirements = [new SkillRequirement("sales", 1)],
            RingTimeoutSeconds = ringTimeoutSeconds,
            NoAnswerPauseSeconds = noAnswerPause,
            Overflow = salesOverflow ?? [],
        };
        var support = QueueConfig.Create(Support) with
        {
            Requirements = [new SkillRequirement("support", 1)],
            RingTimeoutSeconds = ringTimeoutSeconds,
            NoAnswerPauseSeconds = noAnswerPause,
        };
        menu ??= new MenuNode("For sales press 1, for support press 2.",
            ImmutableDictionary<char, MenuAction>.Empty
                .Add('1', new MenuAction.ToQueue("sales"))
                .Add('2', new MenuAction.ToQueue("support"))
                .Add('9', new MenuAction.Info("We are at 1 Main Street.")),
            TimeoutSeconds: 30, MaxRetries: 2, OnTimeout: new MenuAction.ToQueue("support"));
        var tenant = new TenantConfig(Demo, "Demo Ltd", "en", ["1000"], "demo-key", null,
            new ClosedRule.Message("closed"), menu, "support", [sales, support]);
        operators ??= [
            Operator("2001", skills: ("sales", 8)),
            Operator("2002", skills: ("sales", 5)),
            Operator("2003", skills: ("support", 7)),
        ];
        return new ProviderConfig([tenant], [.. operators], [], "admin-key");
    }
}
