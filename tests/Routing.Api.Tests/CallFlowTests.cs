using System.Net;
using System.Text.Json.Nodes;
using Xunit;
using static Routing.Api.Tests.NodeFixture;

namespace Routing.Api.Tests;

/// <summary>The README's API tour, end to end on a real node: operator ready, a call routed, answered, hung up, counted.</summary>
[Collection(NodeCollection.Name)]
public sealed class CallFlowTests(NodeFixture node)
{
    [Fact]
    public async Task A_sales_call_is_offered_to_the_ready_sales_operator_answered_hung_up_and_counted()
    {
        using var demo = node.Client(DemoKey);

        Assert.Equal("not-ready", (await demo.PostAsync("/api/operators/2001/login", null).Expect(HttpStatusCode.OK))["status"]!.ToString());
        Assert.Equal("ready", (await demo.PostAsync("/api/operators/2001/ready", null).Expect(HttpStatusCode.OK))["status"]!.ToString());

        string location;
        using (var offered = await demo.PostAsync("/api/calls", Http.Json(new { number = "1000", caller = "+4930123", digits = "1" })))
        {
            Assert.Equal(HttpStatusCode.Created, offered.StatusCode);
            location = offered.Headers.Location!.OriginalString;
        }
        Assert.StartsWith("/api/calls/demo/", location);

        var ringing = await demo.Poll(location, c => c["state"]!.ToString() == "ringing");
        Assert.Equal("2001", ringing["operator"]!.ToString());
        Assert.Equal("demo/sales", ringing["queue"]!.ToString());
        Assert.Equal("reserved", (await demo.GetAsync("/api/operators/2001").Expect(HttpStatusCode.OK))["state"]!["status"]!.ToString());

        var connected = await demo.PostAsync($"{location}/answer", Http.Json(new { @operator = "2001" })).Expect(HttpStatusCode.OK);
        Assert.Equal("connected", connected["state"]!.ToString());

        var ended = await demo.PostAsync($"{location}/hangup", Http.Json(new { side = "caller" })).Expect(HttpStatusCode.OK);
        Assert.Equal("ended", ended["state"]!.ToString());

        var history = await demo.GetAsync(location).Expect(HttpStatusCode.OK);
        var events = ((JsonArray)history["events"]!).Select(e => e!).ToList();
        var types = events.Select(e => e["type"]!.ToString()).ToList();
        string[] expected = ["offered", "menu-choice", "queued", "offered-to-operator", "connected", "ended"];
        Assert.Equal(expected, types.Where(expected.Contains).ToArray());
        var decision = events.Single(e => e["type"]!.ToString() == "offered-to-operator")["details"]!;
        Assert.Equal("2001", decision["chosen"]!.ToString());
        Assert.Contains("2001", ((JsonArray)decision["topCandidates"]!).Select(c => c!["operator"]!.ToString()));
        Assert.Contains("1", events.Single(e => e["type"]!.ToString() == "menu-choice")["description"]!.ToString());

        var figures = await demo.Poll("/api/tenants/demo/queues/sales/figures", f => f["answered"]!.GetValue<int>() >= 1);
        Assert.Equal(1, figures["answered"]!.GetValue<int>());
        Assert.Equal(1, figures["offered"]!.GetValue<int>());
        var tenant = await demo.Poll("/api/tenants/demo/figures", f => f["total"]!["answered"]!.GetValue<int>() >= 1);
        Assert.Equal(1, tenant["total"]!["answered"]!.GetValue<int>());

        var op = await demo.Poll("/api/operators/2001", o => o["state"]!["callsHandled"]!.GetValue<int>() == 1);
        Assert.Equal("Anna", op["config"]!["name"]!.ToString());

        var paused = await demo.PostAsync("/api/operators/2001/not-ready", Http.Json(new { reason = "lunch" })).Expect(HttpStatusCode.OK);
        Assert.Contains("lunch", paused["reason"]?.ToString() ?? "");
        Assert.Equal("logged-out", (await demo.PostAsync("/api/operators/2001/logout", null).Expect(HttpStatusCode.OK))["status"]!.ToString());
    }

    [Fact]
    public async Task Acting_on_an_unknown_call_is_a_404_and_a_bad_action_body_a_400()
    {
        using var admin = node.Client(AdminKey);
        await admin.GetAsync("/api/calls/demo/00000000000000000000000000000000").Expect(HttpStatusCode.NotFound);
        await admin.PostAsync("/api/calls", Http.Json(new { caller = "+49" })).Expect(HttpStatusCode.BadRequest);
        await admin.PostAsync("/api/calls", Http.Json(new { number = "5555", caller = "+49" })).Expect(HttpStatusCode.NotFound);
        await admin.PostAsync("/api/calls/demo/whatever/digits", Http.Json(new { digits = "x" })).Expect(HttpStatusCode.BadRequest);
    }
}
