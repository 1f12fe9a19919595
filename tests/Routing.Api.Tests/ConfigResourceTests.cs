using System.Net;
using System.Text.Json.Nodes;
using Xunit;
using static Routing.Api.Tests.NodeFixture;

namespace Routing.Api.Tests;

/// <summary>Queues, tenants and operators as configuration resources: the file's shape in, the file's shape out.</summary>
[Collection(NodeCollection.Name)]
public sealed class ConfigResourceTests(NodeFixture node)
{
    [Fact]
    public async Task A_queue_is_created_read_changed_listed_and_deleted()
    {
        using var demo = node.Client(DemoKey);
        var name = "extra-" + Guid.NewGuid().ToString("N")[..8];
        var yaml = $"""
            id: {name}
            name: Extra
            serviceLevel: 90% in 15s
            strategy: round-robin
            requires: {"{"} sales: 3 {"}"}
            """;
        using (var created = await demo.PostAsync("/api/tenants/demo/queues", Http.Text(yaml, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal($"/api/tenants/demo/queues/{name}", created.Headers.Location?.OriginalString);
        }
        var read = await demo.GetAsync($"/api/tenants/demo/queues/{name}").Expect(HttpStatusCode.OK);
        Assert.Equal("Extra", read["name"]!.ToString());
        Assert.Equal("round-robin", read["strategy"]!.ToString());
        Assert.Equal(3, read["requires"]!["sales"]!.GetValue<int>());

        // What GET gives back is a valid body for PUT (JSON is YAML).
        read["name"] = "Extra sales";
        await demo.PutAsync($"/api/tenants/demo/queues/{name}", Http.Text(read.ToJsonString())).Expect(HttpStatusCode.OK);
        Assert.Equal("Extra sales", (await demo.GetAsync($"/api/tenants/demo/queues/{name}").Expect(HttpStatusCode.OK))["name"]!.ToString());
        Assert.Contains(name, (await demo.GetAsync("/api/tenants/demo/queues").Expect(HttpStatusCode.OK)).Strings());

        await demo.PostAsync("/api/tenants/demo/queues", Http.Text(yaml, "application/yaml")).Expect(HttpStatusCode.Conflict);
        await demo.DeleteAsync($"/api/tenants/demo/queues/{name}").Expect(HttpStatusCode.NoContent);
        await demo.GetAsync($"/api/tenants/demo/queues/{name}").Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_bad_queue_body_is_a_400_that_names_the_line()
    {
        using var admin = node.Client(AdminKey);
        var problem = await admin.PostAsync("/api/tenants/demo/queues",
            Http.Text("id: broken\nname: Broken\nstrategy: fastest-first\npriority: high\n", "application/yaml")).Expect(HttpStatusCode.BadRequest);
        var errors = ((JsonArray)problem["errors"]!).Select(e => e!.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("body:3:", StringComparison.Ordinal) && e.Contains("fastest-first"));
        Assert.Contains(errors, e => e.StartsWith("body:4:", StringComparison.Ordinal) && e.Contains("priority"));
        await admin.GetAsync("/api/tenants/demo/queues/broken").Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_body_id_that_differs_from_the_url_is_a_400()
    {
        using var admin = node.Client(AdminKey);
        await admin.PutAsync("/api/tenants/demo/queues/sales", Http.Text("""{ "id": "support" }""")).Expect(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_with_the_reason()
    {
        using var admin = node.Client(AdminKey);
        var problem = await admin.PostAsync("/api/calls", Http.Text("""{ "number": "1000", """)).Expect(HttpStatusCode.BadRequest);
        Assert.Contains("malformed JSON", problem["detail"]!.ToString());
        var config = await admin.PostAsync("/api/tenants/demo/queues", Http.Text("""{ "id": "x", "name": "X" """)).Expect(HttpStatusCode.BadRequest);
        Assert.Matches(@"^body:\d+:\d+: ", ((JsonArray)config["errors"]!)[0]!.ToString());
    }

    [Fact]
    public async Task A_body_over_64_KB_is_a_413()
    {
        using var admin = node.Client(AdminKey);
        var big = "# " + new string('x', 70 * 1024) + "\nid: big\n";
        for (var i = 0; i < 3; i++) // the answer must reach the client every time, not a reset connection
        {
            await admin.PostAsync("/api/tenants/demo/queues", Http.Text(big, "application/yaml")).Expect(HttpStatusCode.RequestEntityTooLarge);
            // Also when the client does not announce the length (chunked).
            var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(big)));
            await admin.PostAsync("/api/calls", chunked).Expect(HttpStatusCode.RequestEntityTooLarge);
        }
        await admin.GetAsync("/api/tenants/demo/queues/big").Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_tenant_key_changes_its_own_operators_but_not_shared_ones()
    {
        using var demo = node.Client(DemoKey);
        using var admin = node.Client(AdminKey);
        var id = "9" + Random.Shared.Next(100, 999);
        var body = $$"""{ "id": "{{id}}", "name": "Temp", "password": "pw{{id}}", "tenants": ["demo"], "skills": { "sales": 2 } }""";
        await demo.PostAsync("/api/operators", Http.Text(body)).Expect(HttpStatusCode.Created);
        var details = await demo.GetAsync($"/api/operators/{id}").Expect(HttpStatusCode.OK);
        Assert.Null(details["config"]!["password"]);
        Assert.Equal("logged-out", details["state"]!["status"]!.ToString());

        // Shared with acme by the admin: both tenants see it, only the admin changes it.
        var shared = body.Replace("[\"demo\"]", "[\"demo\", \"acme\"]");
        await admin.PutAsync($"/api/operators/{id}", Http.Text(shared)).Expect(HttpStatusCode.OK);
        await node.Client(AcmeKey).GetAsync($"/api/operators/{id}").Expect(HttpStatusCode.OK);
        await demo.PutAsync($"/api/operators/{id}", Http.Text(body)).Expect(HttpStatusCode.Forbidden);
        await demo.DeleteAsync($"/api/operators/{id}").Expect(HttpStatusCode.Forbidden);
        await admin.DeleteAsync($"/api/operators/{id}").Expect(HttpStatusCode.NoContent);
        await demo.GetAsync($"/api/operators/{id}").Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OpenApi_document_is_served_and_lists_the_endpoints()
    {
        using var anonymous = node.Client(null);
        var doc = await anonymous.GetAsync("/openapi/v1.json").Expect(HttpStatusCode.OK);
        var paths = ((JsonObject)doc["paths"]!).Select(p => p.Key).ToHashSet();
        foreach (var p in new[]
                 {
                     "/api/tenants", "/api/tenants/{tenant}", "/api/tenants/{tenant}/queues", "/api/tenants/{tenant}/queues/{queue}",
                     "/api/operators", "/api/operators/{id}", "/api/operators/{id}/login", "/api/operators/{id}/ready",
                     "/api/operators/{id}/not-ready", "/api/operators/{id}/logout", "/api/calls", "/api/calls/{tenant}/{id}",
                     "/api/calls/{tenant}/{id}/digits", "/api/calls/{tenant}/{id}/answer", "/api/calls/{tenant}/{id}/reject",
                     "/api/calls/{tenant}/{id}/hangup", "/api/calls/{tenant}/{id}/transfer",
                     "/api/tenants/{tenant}/figures", "/api/tenants/{tenant}/queues/{queue}/figures",
                 })
            Assert.Contains(p, paths);
        Assert.NotNull(doc["paths"]!["/api/calls"]!["post"]!["requestBody"]);
    }
}
