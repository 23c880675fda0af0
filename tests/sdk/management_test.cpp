// management_api bodies (management.register, management.handle): what each end writes and
// how the other reads it, with Go's rules, and the framework's dispatch of both methods.
#include <gtest/gtest.h>

#include <string>

#include "cliproxy/json.hpp"
#include "cliproxy/plugin.hpp"

namespace cliproxy {
namespace {

using json::DecodeManagementRegistration;
using json::DecodeManagementRegistrationRequest;
using json::DecodeManagementRequest;
using json::DecodeManagementResponse;
using json::EncodeManagementRegistration;
using json::EncodeManagementRegistrationRequest;
using json::EncodeManagementRequest;
using json::EncodeManagementResponse;

TEST(ManagementRegistrationRequest, GoFieldNamesBothWays) {
  ManagementRegistrationRequest request;
  request.plugin.name = "scheduler";
  request.base_path = "/v0/management";
  request.resource_base_path = "/v0/resource/plugins/scheduler";
  const std::string body = EncodeManagementRegistrationRequest(request);
  EXPECT_EQ(body, R"({"Plugin":{"Name":"scheduler","Version":"","Author":"","GitHubRepository":"",)"
                  R"("Logo":"","ConfigFields":null},"BasePath":"/v0/management",)"
                  R"("ResourceBasePath":"/v0/resource/plugins/scheduler"})");
  ManagementRegistrationRequest back;
  ASSERT_TRUE(DecodeManagementRegistrationRequest(body, &back).ok());
  EXPECT_EQ(back.plugin.name, "scheduler");
  EXPECT_EQ(back.resource_base_path, "/v0/resource/plugins/scheduler");
  // Keys fold as in Go; an empty body is an empty request; a wrong type fails.
  ASSERT_TRUE(DecodeManagementRegistrationRequest(R"({"basepath":"/x"})", &back).ok());
  EXPECT_EQ(back.base_path, "/x");
  ManagementRegistrationRequest empty;
  EXPECT_TRUE(DecodeManagementRegistrationRequest("", &empty).ok());
  EXPECT_TRUE(empty.base_path.empty());
  EXPECT_FALSE(DecodeManagementRegistrationRequest(R"({"BasePath":1})", &empty).ok());
}

TEST(ManagementRegistration, LowerCaseListsGoNamesInsideAndEmptyPartsLeftOut) {
  ManagementRegistration registration;
  EXPECT_EQ(EncodeManagementRegistration(registration), "{}");
  ManagementRoute route;
  route.method = "GET";
  route.path = "/v0/management/plugins/scheduler/status";
  registration.routes.push_back(route);
  ResourceRoute page;
  page.path = "/v0/resource/plugins/scheduler/status";
  page.menu = "Scheduler <status>";
  page.description = "live";
  registration.resources.push_back(page);
  const std::string body = EncodeManagementRegistration(registration);
  // No Menu on the route: a GET route with a Menu would become a resource.
  EXPECT_EQ(body,
            R"({"routes":[{"Method":"GET","Path":"/v0/management/plugins/scheduler/status"}],)"
            R"("resources":[{"Path":"/v0/resource/plugins/scheduler/status",)"
            R"("Menu":"Scheduler \u003cstatus\u003e","Description":"live"}]})");
  ManagementRegistration back;
  ASSERT_TRUE(DecodeManagementRegistration(body, &back).ok());
  ASSERT_EQ(back.routes.size(), 1u);
  EXPECT_EQ(back.routes[0].method, "GET");
  EXPECT_TRUE(back.routes[0].menu.empty());
  ASSERT_EQ(back.resources.size(), 1u);
  EXPECT_EQ(back.resources[0].menu, "Scheduler <status>");
  // Unknown keys (a newer host's Locales, a Go Handler written as null) are ignored.
  ASSERT_TRUE(DecodeManagementRegistration(
                  R"({"routes":[{"Method":"POST","Path":"p","Handler":null,"Locales":{}}]})", &back)
                  .ok());
  EXPECT_EQ(back.routes[0].method, "POST");
  EXPECT_FALSE(DecodeManagementRegistration(R"({"routes":{}})", &back).ok());
}

TEST(ManagementRequest, BodyIsGoBytesAndHeadersAndQueryAreMapsOfLists) {
  ManagementRequest request;
  request.method = "POST";
  request.path = "/v0/management/plugins/scheduler/status";
  request.headers.Set("Authorization", {"Bearer k"});
  request.query.Set("format", {"json"});
  request.body = "{\"a\":1}";
  const std::string body = EncodeManagementRequest(request);
  EXPECT_EQ(body, R"({"Method":"POST","Path":"/v0/management/plugins/scheduler/status",)"
                  R"("Headers":{"Authorization":["Bearer k"]},"Query":{"format":["json"]},)"
                  R"("Body":"eyJhIjoxfQ=="})");
  ManagementRequest back;
  ASSERT_TRUE(DecodeManagementRequest(body, &back).ok());
  EXPECT_EQ(back.body, "{\"a\":1}");
  ASSERT_NE(FindHeader(back.headers, "authorization"), nullptr);
  EXPECT_EQ((*back.query.Find("format"))[0], "json");
  // What CLIProxyAPI sends for a resource: no body (null), a callback id.
  ASSERT_TRUE(DecodeManagementRequest(R"({"Method":"GET","Path":"/p","Headers":null,)"
                                      R"("Query":{},"Body":null,"host_callback_id":"cb-1"})",
                                      &back)
                  .ok());
  EXPECT_TRUE(back.body.empty());
  EXPECT_EQ(back.host_callback_id, "cb-1");
  request.host_callback_id = "cb-2";
  request.body.clear();
  EXPECT_NE(EncodeManagementRequest(request).find(R"("Body":null,"host_callback_id":"cb-2")"),
            std::string::npos);
  // Bad base64 (unpadded), a wrong type, an empty body: errors.
  EXPECT_FALSE(DecodeManagementRequest(R"({"Body":"eyJhIjoxfQ"})", &back).ok());
  EXPECT_FALSE(DecodeManagementRequest(R"({"Headers":{"A":"b"}})", &back).ok());
  EXPECT_FALSE(DecodeManagementRequest("", &back).ok());
}

TEST(ManagementResponse, StatusHeadersAndBase64BodyBothWays) {
  ManagementResponse response;
  EXPECT_EQ(EncodeManagementResponse(response), R"({"StatusCode":0,"Headers":null,"Body":null})");
  response.status_code = 200;
  response.headers.Set("Content-Type", {"text/html; charset=utf-8"});
  response.body = "<p>\xE2\x9C\x93</p>";
  const std::string body = EncodeManagementResponse(response);
  EXPECT_EQ(body, R"({"StatusCode":200,"Headers":{"Content-Type":["text/html; charset=utf-8"]},)"
                  R"("Body":"PHA+4pyTPC9wPg=="})");
  ManagementResponse back;
  ASSERT_TRUE(DecodeManagementResponse(body, &back).ok());
  EXPECT_EQ(back.status_code, 200);
  EXPECT_EQ(back.body, response.body);
  // A Go []byte may also arrive as an array of numbers.
  ASSERT_TRUE(DecodeManagementResponse(R"({"statuscode":404,"body":[104,105]})", &back).ok());
  EXPECT_EQ(back.status_code, 404);
  EXPECT_EQ(back.body, "hi");
  EXPECT_FALSE(DecodeManagementResponse(R"({"StatusCode":"200"})", &back).ok());
}

// --- the framework's dispatch ----------------------------------------------------------

class ManagedPlugin : public Plugin {
 public:
  bool declare = true;
  std::string seen_base;
  std::string seen_body;
  Result<Registration> Register(const LifecycleRequest&) override {
    Registration r;
    r.capabilities.scheduler = true;
    r.capabilities.management_api = declare;
    return r;
  }
  Result<ManagementRegistration> RegisterManagement(
      const ManagementRegistrationRequest& request) override {
    seen_base = request.resource_base_path;
    ManagementRegistration r;
    ResourceRoute page;
    page.path = request.resource_base_path + "/page";
    page.menu = "Page";
    r.resources.push_back(page);
    return r;
  }
  Result<ManagementResponse> HandleManagement(const ManagementRequest& request) override {
    seen_body = request.body;
    ManagementResponse response;
    response.status_code = 201;
    response.body = request.path;
    return response;
  }
};

TEST(ManagementDispatch, UnknownMethodsUntilTheRegistrationDeclaresManagementApi) {
  ManagedPlugin plugin;
  plugin.declare = false;
  ASSERT_EQ(Dispatch(&plugin, "plugin.register", "{}").code, 0);
  RawReply reply = Dispatch(&plugin, "management.register", "{}");
  EXPECT_EQ(reply.code, 0);
  EXPECT_NE(reply.body.find("unknown_method"), std::string::npos);
  plugin.declare = true;
  ASSERT_EQ(Dispatch(&plugin, "plugin.reconfigure", "{}").code, 0);
  EXPECT_TRUE(plugin.serves_management());

  reply = Dispatch(&plugin, "management.register",
                   R"({"BasePath":"/v0/management","ResourceBasePath":"/v0/resource/plugins/x"})");
  EXPECT_EQ(reply.code, 0);
  EXPECT_EQ(reply.body,
            R"({"ok":true,"result":{"resources":[{"Path":"/v0/resource/plugins/x/page",)"
            R"("Menu":"Page"}]}})");
  reply = Dispatch(&plugin, "management.handle", R"({"Method":"GET","Path":"/p","Body":"aGk="})");
  EXPECT_EQ(reply.code, 0);
  EXPECT_EQ(reply.body, R"({"ok":true,"result":{"StatusCode":201,"Headers":null,"Body":"L3A="}})");
  EXPECT_EQ(plugin.seen_body, "hi");
}

TEST(ManagementDispatch, UndecodableBodiesAreInvalidRequestsWithReturnCodeOne) {
  ManagedPlugin plugin;
  ASSERT_EQ(Dispatch(&plugin, "plugin.register", "{}").code, 0);
  RawReply reply = Dispatch(&plugin, "management.handle", R"({"Body":7})");
  EXPECT_EQ(reply.code, 1);
  EXPECT_NE(reply.body.find(R"("code":"invalid_request","message":"management.handle: )"),
            std::string::npos);
  reply = Dispatch(&plugin, "management.register", "[]");
  EXPECT_EQ(reply.code, 1);
  EXPECT_NE(reply.body.find("management.register: "), std::string::npos);
  EXPECT_TRUE(plugin.seen_body.empty());
}

TEST(ManagementDispatch, DefaultHandlersAnswerUnknownMethod) {
  class Bare : public Plugin {
    Result<Registration> Register(const LifecycleRequest&) override {
      Registration r;
      r.capabilities.management_api = true;
      return r;
    }
  } plugin;
  ASSERT_EQ(Dispatch(&plugin, "plugin.register", "{}").code, 0);
  EXPECT_EQ(Dispatch(&plugin, "management.handle", "{}").body,
            R"({"ok":false,"error":{"code":"unknown_method",)"
            R"("message":"unknown method: management.handle"}})");
}

}  // namespace
}  // namespace cliproxy
