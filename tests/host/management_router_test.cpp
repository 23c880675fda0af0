// ManagementRouter: routes and resources normalized as CLIProxyAPI's pluginhost does, and
// requests dispatched to scheduler.so's status page through management.handle.
#include "cliproxy/host/management_router.hpp"

#include <gtest/gtest.h>

#include <string>

#include "host_test_support.hpp"

namespace cliproxy::host {
namespace {

ManagementRoute Route(std::string method, std::string path, std::string menu = "") {
  ManagementRoute r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.menu = std::move(menu);
  return r;
}

ResourceRoute Resource(std::string path, std::string menu = "") {
  ResourceRoute r;
  r.path = std::move(path);
  r.menu = std::move(menu);
  return r;
}

TEST(ManagementNormalization, RoutesResolveUnderTheManagementBase) {
  auto e = NormalizeManagementRoute("p", Route(" post ", "plugins/p/run/"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->method, "POST");
  EXPECT_EQ(e->path, "/v0/management/plugins/p/run");
  EXPECT_FALSE(e->resource);
  EXPECT_EQ(NormalizeManagementRoute("p", Route("", "/v0/management/x"))->method, "GET");
  EXPECT_EQ(NormalizeManagementRoute("p", Route("GET", "/v0/management/x"))->path,
            "/v0/management/x");
  for (const char* bad : {"", "/", "/a b", "/a:b", "/a*"}) {
    EXPECT_FALSE(NormalizeManagementRoute("p", Route("GET", bad))) << bad;
  }
  EXPECT_FALSE(NormalizeManagementRoute("p", Route("G ET", "/x")));
}

TEST(ManagementNormalization, AGetRouteWithAMenuIsAResource) {
  auto e = NormalizeManagementRoute("p", Route("GET", "page", "Page"));
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->resource);
  EXPECT_EQ(e->path, "/v0/resource/plugins/p/page");
  EXPECT_EQ(e->menu, "Page");
  EXPECT_FALSE(NormalizeManagementRoute("p", Route("POST", "page", "Page"))->resource);
}

TEST(ManagementNormalization, ResourcesResolveUnderThePluginsResourceBase) {
  EXPECT_EQ(NormalizeResourceRoute("p", Resource("/v0/resource/plugins/p/a/"))->path,
            "/v0/resource/plugins/p/a");
  EXPECT_EQ(NormalizeResourceRoute("p", Resource("/plugins/p/a"))->path,
            "/v0/resource/plugins/p/a");
  auto q = NormalizeResourceRoute("p", Resource("a?tab=1"));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->path, "/v0/resource/plugins/p/a");
  EXPECT_EQ(q->launch, "/v0/resource/plugins/p/a?tab=1");
  for (const char* bad : {"", "/", "a#x", "a/../b", "a:b", "a?x y"}) {
    EXPECT_FALSE(NormalizeResourceRoute("p", Resource(bad))) << bad;
  }
}

class ManagementRouterTest : public ::testing::Test {
 protected:
  Status Load(const std::string& yaml) {
    PluginSettings settings;
    settings.config_yaml = yaml;
    return host_.Load("sched", CLIPROXY_SCHEDULER_SO, settings);
  }
  PluginHost host_;
  ManagementRouter router_{host_};
};

TEST_F(ManagementRouterTest, ServesTheSchedulerStatusPageAndItsJson) {
  ASSERT_TRUE(Load("routes:\n  - name: all\n    strategy: round-robin\n").ok());
  EXPECT_TRUE(router_.Rebuild().empty());
  std::vector<ManagementEntry> entries = router_.Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].path, "/v0/management/plugins/sched/status");
  EXPECT_TRUE(entries[1].resource);
  EXPECT_EQ(entries[1].path, "/v0/resource/plugins/sched/status");
  EXPECT_EQ(entries[1].menu, "Scheduler status");

  host_.Pick(testing::MakeRequest({testing::MakeCandidate("a"), testing::MakeCandidate("b")}));
  ManagementRequest request;
  request.method = "GET";
  request.path = "/v0/management/plugins/sched/status";
  std::optional<ManagementResponse> json = router_.Serve(request);
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status_code, 200);
  EXPECT_NE(json->body.find(R"("counters":{"picks":1,"auth":1)"), std::string::npos) << json->body;
  request.path = "/v0/resource/plugins/sched/status";
  std::optional<ManagementResponse> page = router_.Serve(request);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status_code, 200);
  EXPECT_NE(page->body.find("<title>Scheduler status</title>"), std::string::npos);
  // A resource is GET only; a path nobody registered is nobody's.
  request.method = "POST";
  EXPECT_FALSE(router_.Serve(request));
  request.method = "GET";
  request.path = "/v0/resource/plugins/sched/other";
  EXPECT_FALSE(router_.Serve(request));
}

TEST_F(ManagementRouterTest, APluginWithoutTheCapabilityOrInactiveGetsNoRoutes) {
  ASSERT_TRUE(Load("status_page: false\n").ok());
  EXPECT_TRUE(router_.Rebuild().empty());
  EXPECT_TRUE(router_.Entries().empty());
}

}  // namespace
}  // namespace cliproxy::host
