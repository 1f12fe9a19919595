using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Xunit;
using static Routing.Api.Tests.NodeFixture;

namespace Routing.Api.Tests;

/// <summary>Keys and tenant isolation: no key 401; a tenant key sees only its tenant, other tenants answer 404.</summary>
[Collection(NodeCollection.Name)]
public sealed class AuthTests(NodeFixture node)
{
    [Theory]
    [InlineData("GET", "/api/tenants")]
    [InlineData("GET", "/api/operators")]
    [InlineData("POST", "/api/calls")]
    [InlineData("GET", "/api/tenants/demo/figures")]
    public async Task Requests_without_a_key_get_401(string method, string path)
    {
        using var client = node.Client(null);
        var problem = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)).Expect(HttpStatusCode.Unauthorized);
        Assert.Equal(401, problem["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_wrong_key_gets_401()
    {
        using var client = node.Client("not-a-key");
        await client.GetAsync("/api/tenants").Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Bearer_authorization_is_accepted_like_X_Api_Key()
    {
        using var client = node.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AcmeKey);
        var tenants = await client.GetAsync("/api/tenants").Expect(HttpStatusCode.OK);
        Assert.Equal(["acme"], tenants.Strings());
    }

    [Fact]
    public async Task Admin_sees_every_tenant_and_a_tenant_key_only_its_own()
    {
        using var admin = node.Client(AdminKey);
        using var acme = node.Client(AcmeKey);
        Assert.Equal(["demo", "acme"], (await admin.GetAsync("/api/tenants").Expect(HttpStatusCode.OK)).Strings());
        Assert.Equal(["acme"], (await acme.GetAsync("/api/tenants").Expect(HttpStatusCode.OK)).Strings());
    }

    [Fact]
    public async Task A_tenant_key_gets_404_for_another_tenants_tenant_queue_and_operator()
    {
        using var acme = node.Client(AcmeKey);
        await acme.GetAsync("/api/tenants/demo").Expect(HttpStatusCode.NotFound);
        await acme.GetAsync("/api/tenants/demo/queues").Expect(HttpStatusCode.NotFound);
        var hidden = await acme.GetAsync("/api/tenants/demo/queues/sales").Expect(HttpStatusCode.NotFound);
        var missing = await acme.GetAsync("/api/tenants/nosuch/queues/sales").Expect(HttpStatusCode.NotFound);
        Assert.Equal(missing["detail"]!.ToString().Replace("nosuch", "demo"), hidden["detail"]!.ToString()); // existence is not revealed
        await acme.GetAsync("/api/operators/2001").Expect(HttpStatusCode.NotFound);
        await acme.PostAsync("/api/operators/2001/login", null).Expect(HttpStatusCode.NotFound);
        await acme.DeleteAsync("/api/tenants/demo/queues/sales").Expect(HttpStatusCode.NotFound);
        await acme.PutAsync("/api/tenants/demo/queues/sales", Http.Text("id: sales\nname: Mine now\n", "application/yaml")).Expect(HttpStatusCode.NotFound);
        Assert.Equal(["3001", "3002"], (await acme.GetAsync("/api/operators").Expect(HttpStatusCode.OK)).Strings());
        await acme.GetAsync("/api/operators?tenant=demo").Expect(HttpStatusCode.NotFound);

        using var admin = node.Client(AdminKey);
        await admin.GetAsync("/api/tenants/demo/queues/sales").Expect(HttpStatusCode.OK);
        await admin.GetAsync("/api/tenants/acme/queues/support").Expect(HttpStatusCode.OK);
        var all = (await admin.GetAsync("/api/operators").Expect(HttpStatusCode.OK)).Strings();
        Assert.Contains("2001", all);
        Assert.Contains("3001", all);
    }

    [Fact]
    public async Task A_tenant_key_cannot_create_or_delete_tenants()
    {
        using var demo = node.Client(DemoKey);
        await demo.PostAsync("/api/tenants", Http.Text("""{ "id": "evil", "name": "Evil", "numbers": ["6666"], "defaultQueue": "q", "queues": [{ "id": "q" }] }"""))
            .Expect(HttpStatusCode.Forbidden);
        await demo.DeleteAsync("/api/tenants/demo").Expect(HttpStatusCode.Forbidden);
        await demo.DeleteAsync("/api/tenants/acme").Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Secrets_are_shown_to_the_admin_only()
    {
        using var demo = node.Client(DemoKey);
        using var admin = node.Client(AdminKey);
        var tenant = await demo.GetAsync("/api/tenants/demo").Expect(HttpStatusCode.OK);
        Assert.Null(tenant["apiKey"]);
        Assert.Equal(DemoKey, (await admin.GetAsync("/api/tenants/demo").Expect(HttpStatusCode.OK))["apiKey"]!.ToString());

        var ops = (JsonArray)await demo.GetAsync("/api/operators").Expect(HttpStatusCode.OK);
        Assert.All(ops, o => Assert.Null(o!["password"]));
        var adminOps = (JsonArray)await admin.GetAsync("/api/operators?tenant=demo").Expect(HttpStatusCode.OK);
        Assert.All(adminOps, o => Assert.NotNull(o!["password"]));
        Assert.Equal(["2001", "2002", "2003", "2004"], adminOps.Strings());
    }

    [Fact]
    public async Task A_tenant_key_cannot_see_another_tenants_call_nor_offer_calls_to_its_number()
    {
        using var demo = node.Client(DemoKey);
        using var acme = node.Client(AcmeKey);
        using var admin = node.Client(AdminKey);
        // No digits: the call waits in the menu and routes nowhere during this test.
        var call = await demo.PostAsync("/api/calls", Http.Json(new { number = "1000", caller = "+4930999" })).Expect(HttpStatusCode.Created);
        var id = call["id"]!.ToString();
        Assert.StartsWith("demo/", id);

        await demo.GetAsync($"/api/calls/{id}").Expect(HttpStatusCode.OK);
        await admin.GetAsync($"/api/calls/{id}").Expect(HttpStatusCode.OK);
        await acme.GetAsync($"/api/calls/{id}").Expect(HttpStatusCode.NotFound);
        await acme.PostAsync($"/api/calls/{id}/hangup", Http.Json(new { side = "caller" })).Expect(HttpStatusCode.NotFound);
        await acme.PostAsync("/api/calls", Http.Json(new { number = "1000", caller = "+7495" })).Expect(HttpStatusCode.NotFound);
        await acme.GetAsync("/api/tenants/demo/figures").Expect(HttpStatusCode.NotFound);
        await acme.GetAsync("/api/tenants/demo/queues/sales/figures").Expect(HttpStatusCode.NotFound);

        await demo.PostAsync($"/api/calls/{id}/hangup", null).Expect(HttpStatusCode.OK);
    }
}
