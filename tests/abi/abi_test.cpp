// scheduler.so through the C ABI, as CLIProxyAPI drives it: every behaviour of WIRE.md §5
// and a catalogue of bad inputs, each of which must get a clear error envelope.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "scheduler_so.hpp"
#include "support/files.hpp"

namespace cliproxy::abi_test {
namespace {

const std::vector<std::string> kAbc = {"a", "b", "c"};

class AbiTest : public testing::Test {
 protected:
  // Every reply of every test must be a valid envelope.
  Reply Checked(Reply reply) {
    Envelope env = ReadEnvelope(reply.body);
    EXPECT_TRUE(env.valid) << env.problem << " in " << reply.body;
    return reply;
  }
  Reply Pick(std::string_view body) { return Checked(so_.Pick(body)); }
  Reply PickAbc() { return Pick(PickBody(kAbc)); }
  Reply Register(std::string_view yaml) { return Checked(so_.Register(LifecycleBody(yaml))); }
  Reply Reconfigure(std::string_view yaml) { return Checked(so_.Reconfigure(LifecycleBody(yaml))); }
  void Configure(std::string_view yaml) {
    Reply r = Register(yaml);
    ASSERT_EQ(r.rc, 0) << r.body;
    ASSERT_TRUE(ReadEnvelope(r.body).ok) << r.body;
  }
  // An error reply: return code, code and a part of the message that says what is wrong.
  void ExpectError(const Reply& reply, int rc, const std::string& code,
                   const std::string& message_part) {
    Envelope env = ReadEnvelope(reply.body);
    EXPECT_EQ(reply.rc, rc) << reply.body;
    EXPECT_FALSE(env.ok) << reply.body;
    EXPECT_EQ(env.code, code) << reply.body;
    EXPECT_NE(env.message.find(message_part), std::string::npos)
        << "\"" << message_part << "\" not in " << env.message;
  }

  SchedulerSo so_;
};

// --- loading ---------------------------------------------------------------------------

TEST(AbiLoad, ExportsInitThatFillsACompleteVersionOneTable) {
  SchedulerSo so;
  EXPECT_EQ(so.init_result(), 0);
  EXPECT_EQ(so.api().abi_version, 1u);
  EXPECT_NE(so.api().call, nullptr);
  EXPECT_NE(so.api().free_buffer, nullptr);
  EXPECT_NE(so.api().shutdown, nullptr);
}

TEST(AbiLoad, InitRefusesANullTableAndAcceptsANullHost) {
  void* handle = dlopen(CLIPROXY_SCHEDULER_SO, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto init = reinterpret_cast<cliproxy_plugin_init_fn>(dlsym(handle, "cliproxy_plugin_init"));
  ASSERT_NE(init, nullptr);
  EXPECT_NE(init(nullptr, nullptr), 0);
  cliproxy_plugin_api api{};
  ASSERT_EQ(init(nullptr, &api), 0);
  cliproxy_buffer response{};
  EXPECT_EQ(api.call("scheduler.pick", nullptr, 0, &response), 1);
  api.free_buffer(response.ptr, response.len);
  api.shutdown();
  dlclose(handle);
}

TEST_F(AbiTest, FreeBufferOfNullIsHarmless) {
  so_.api().free_buffer(nullptr, 0);
  so_.api().free_buffer(nullptr, 17);
  EXPECT_EQ(PickAbc().rc, 0);
}

TEST_F(AbiTest, ACallWithoutAResponseBufferOnlyReturnsTheCode) {
  EXPECT_EQ(so_.api().call("scheduler.pick", nullptr, 0, nullptr), 1);
  EXPECT_EQ(so_.api().call(nullptr, nullptr, 0, nullptr), 1);
}

// --- WIRE.md §5: the reference behaviour -------------------------------------------------

TEST_F(AbiTest, PickBeforeAnyRegisterIsUnhandled) { EXPECT_EQ(PickAbc().body, UnhandledReply()); }

TEST_F(AbiTest, DenyRefusesEveryPickWithReturnCodeZero) {
  Configure("deny: true\nauth_id: a\ndelegate: round-robin\n");
  Reply r = PickAbc();
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.body, DeniedReply());
  EXPECT_EQ(Pick("{}").body, DeniedReply());
}

TEST_F(AbiTest, BuiltinDelegateIsHandedBackBeforeAuthId) {
  Configure("delegate: fill-first\nauth_id: a\n");
  EXPECT_EQ(PickAbc().body, DelegateReply("fill-first"));
  Configure("delegate: round-robin\n");
  EXPECT_EQ(PickAbc().body, DelegateReply("round-robin"));
  EXPECT_EQ(Pick("{}").body, DelegateReply("round-robin"));  // whatever the candidates
}

TEST_F(AbiTest, AnyOtherDelegateLeavesThePickUnhandled) {
  for (const char* delegate : {"weighted-round-robin", "ROUND-ROBIN", "Fill-First", "x"}) {
    Configure(std::string("auth_id: a\ndelegate: ") + delegate + "\n");
    EXPECT_EQ(PickAbc().body, UnhandledReply()) << delegate;
  }
}

TEST_F(AbiTest, AuthIdPicksTheCandidateWithExactlyThatId) {
  Configure("auth_id: b\n");
  Reply r = PickAbc();
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.body, AuthReply("b"));
  EXPECT_EQ(Pick(PickBody({"a", "c"})).body, UnhandledReply());
  EXPECT_EQ(Pick(PickBody({"a", " b ", "B", "c"})).body, UnhandledReply());
  EXPECT_EQ(Pick("{}").body, UnhandledReply());
  EXPECT_EQ(Pick("null").body, UnhandledReply());
}

// A thread decodes its picks into storage it keeps (reused_pick_request.hpp): every pick
// still starts from a fresh request, after a failed decode and after a large one too.
TEST_F(AbiTest, EveryPickDecodesIntoAFreshRequest) {
  Configure("auth_id: b\n");
  EXPECT_EQ(PickAbc().body, AuthReply("b"));
  ExpectError(Pick(R"({"Candidates":[{"ID":"b"},{"ID":7}]})"), 1, "invalid_request",
              "Candidates[1].ID");
  EXPECT_EQ(Pick("{}").body, UnhandledReply());
  ExpectError(Pick(R"({"Candidates":[{"ID":"b"}],)"), 1, "invalid_request", "JSON");
  EXPECT_EQ(Pick(R"({"Candidates":[{"ID":"a"}]})").body, UnhandledReply());
  std::vector<std::string> many;
  for (int i = 0; i < 1500; ++i) many.push_back(i == 1499 ? "b" : "x" + std::to_string(i));
  EXPECT_EQ(Pick(PickBody(many)).body, AuthReply("b"));
  EXPECT_EQ(Pick(R"({"Candidates":[{"ID":"a"},{"ID":"c"}]})").body, UnhandledReply());
  EXPECT_EQ(PickAbc().body, AuthReply("b"));
}

TEST_F(AbiTest, ConfiguredStringsAreTrimmedButCaseSensitive) {
  Configure("delegate: ' round-robin '\n");
  EXPECT_EQ(PickAbc().body, DelegateReply("round-robin"));
  Configure("auth_id: \"\\tb \"\n");
  EXPECT_EQ(PickAbc().body, AuthReply("b"));
}

TEST_F(AbiTest, RegisterAndReconfigureReplaceTheWholeConfiguration) {
  Configure("auth_id: b\n");
  Reply r = Reconfigure("delegate: \n");
  EXPECT_EQ(r.rc, 0);
  EXPECT_TRUE(ReadEnvelope(r.body).ok);
  EXPECT_EQ(PickAbc().body, UnhandledReply());  // auth_id is gone
  Configure("deny: yes\n");
  EXPECT_EQ(PickAbc().body, DeniedReply());
  Reply empty = Checked(so_.Reconfigure("{}"));
  EXPECT_EQ(empty.rc, 0);
  EXPECT_EQ(PickAbc().body, UnhandledReply());
}

TEST_F(AbiTest, BothLifecycleMethodsAnswerTheFullRegistration) {
  Reply reg = Register("auth_id: b\n");
  Reply rec = Reconfigure("auth_id: b\n");
  EXPECT_EQ(reg.body, rec.body);
  Envelope env = ReadEnvelope(reg.body);
  ASSERT_TRUE(env.ok);
  EXPECT_EQ(
      env.result.rfind(R"({"schema_version":1,"metadata":{"Name":"scheduler","Version":")", 0), 0u)
      << env.result;
  // management_api: the status page (docs/status.md); `status_page: false` leaves it out.
  EXPECT_NE(env.result.find(R"("capabilities":{"scheduler":true,"management_api":true}})"),
            std::string::npos);
}

TEST_F(AbiTest, PickJsonFollowsGoDecoding) {
  Configure("auth_id: b\n");
  EXPECT_EQ(Pick(R"({"candidates":[{"id":"b"}]})").body, AuthReply("b"));
  EXPECT_EQ(Pick(R"({"Candidates":[{"ID":"b"}],"Candidates":[{"ID":"a"}]})").body,
            UnhandledReply());
  EXPECT_EQ(Pick(R"({"Candidates":[{"ID":"a"}],"Candidates":[{"ID":"b"}]})").body, AuthReply("b"));
  EXPECT_EQ(Pick(R"({"Candidates":[{"ID":"a","ID":"b"}]})").body, AuthReply("b"));
  EXPECT_EQ(
      Pick(R"({"X":[1,{"y":null}],"Candidates":[{"ID":"b","Z":true}],"Options":{"Q":1}})").body,
      AuthReply("b"));
  EXPECT_EQ(Pick(R"({"Candidates":[{"ID":"\u0062"}]})").body, AuthReply("b"));
}

TEST_F(AbiTest, ReplyAlwaysCarriesAllThreeKeys) {
  for (const char* yaml : {"", "auth_id: a\n", "delegate: fill-first\n", "delegate: x\n"}) {
    Configure(yaml);
    Envelope env = ReadEnvelope(PickAbc().body);
    ASSERT_TRUE(env.ok);
    EXPECT_NE(env.result.find(R"("AuthID":)"), std::string::npos) << yaml;
    EXPECT_NE(env.result.find(R"("DelegateBuiltin":)"), std::string::npos) << yaml;
    EXPECT_NE(env.result.find(R"("Handled":)"), std::string::npos) << yaml;
  }
}

TEST_F(AbiTest, UnknownMethodsAreUnknownMethodWithReturnCodeZero) {
  for (const char* method :
       {"plugin.shutdown", "Scheduler.Pick", "", "usage.handle", "plugin.quiesce"}) {
    Reply r = Checked(so_.Call(method, "{}"));
    EXPECT_EQ(r.rc, 0) << method;
    EXPECT_EQ(r.body,
              R"({"ok":false,"error":{"code":"unknown_method","message":"unknown method: )" +
                  std::string(method) + "\"}}");
  }
}

TEST_F(AbiTest, UsageIsUnknownWhateverTheBodyAsInTheReference) {
  // scheduler.so does not declare usage_plugin, so it never decodes a usage record.
  for (std::optional<std::string_view> body :
       {std::optional<std::string_view>("[]"), std::optional<std::string_view>(""),
        std::optional<std::string_view>()}) {
    Reply r = Checked(so_.Call("usage.handle", body));
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(
        r.body,
        R"({"ok":false,"error":{"code":"unknown_method","message":"unknown method: usage.handle"}})");
  }
}

// --- bad inputs: a clear error envelope, never a crash -------------------------------------

TEST_F(AbiTest, NullMethodIsInvalidMethod) {
  Reply r = Checked(so_.Call(nullptr, "{}"));
  EXPECT_EQ(r.body,
            R"({"ok":false,"error":{"code":"invalid_method","message":"method is required"}})");
  EXPECT_EQ(r.rc, 1);
  ExpectError(Checked(so_.Call(nullptr, std::nullopt)), 1, "invalid_method", "method is required");
}

TEST_F(AbiTest, MethodNamesThatAreNotUtf8AreReportedSafely) {
  Reply r = Checked(so_.Call("scheduler.pick\xFF", "{}"));
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(
      r.body,
      R"({"ok":false,"error":{"code":"unknown_method","message":"unknown method: scheduler.pick\ufffd"}})");
}

TEST_F(AbiTest, EmptyPickBodyIsAnError) {
  ExpectError(Checked(so_.Call("scheduler.pick", std::nullopt)), 1, "invalid_request",
              "unexpected end of JSON input");
  char byte = '{';
  ExpectError(Checked(so_.CallRaw("scheduler.pick", &byte, 0)), 1, "invalid_request",
              "unexpected end of JSON input");
}

TEST_F(AbiTest, EmptyLifecycleBodyIsAnEmptyConfiguration) {
  Configure("auth_id: b\n");
  Reply r = Checked(so_.Call("plugin.reconfigure", std::nullopt));
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(PickAbc().body, UnhandledReply());
}

TEST_F(AbiTest, MalformedPickJsonIsInvalidRequest) {
  Configure("auth_id: b\n");
  const char* bodies[] = {"{",
                          "}",
                          "[",
                          "nul",
                          "{\"Candidates\":[{\"ID\":\"b\"}]}x",
                          "{}{}",
                          "{'Candidates':[]}",
                          "{\"Candidates\":[{\"ID\":\"b\"},]}",
                          "\xEF\xBB\xBF{}",
                          "{\"Candidates\":[{\"ID\":\"b\\x\"}]}",
                          "{\"a\":01}"};
  for (const char* body : bodies) {
    ExpectError(Pick(body), 1, "invalid_request", "scheduler.pick: ");
  }
  ExpectError(Pick("{}x"), 1, "invalid_request", "invalid JSON at byte 2");
  ExpectError(Pick(std::string("{}\0", 3)), 1, "invalid_request", "NUL byte");
}

TEST_F(AbiTest, EveryTruncationOfARealPickIsAnError) {
  std::string body = test_support::ReadTestData("pick-10.json");
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
  ASSERT_GT(body.size(), 100u);
  Configure("auth_id: b\n");
  for (size_t len = 0; len < body.size(); ++len) {
    Reply r = so_.Pick(std::string_view(body).substr(0, len));
    Envelope env = ReadEnvelope(r.body);
    ASSERT_TRUE(env.valid) << len << ": " << r.body;
    ASSERT_EQ(r.rc, 1) << len;
    ASSERT_EQ(env.code, "invalid_request") << len;
  }
  EXPECT_EQ(Pick(body).rc, 0);
}

TEST_F(AbiTest, WrongJsonTypesAreInvalidRequestNamingTheField) {
  Configure("auth_id: b\n");
  struct Case {
    const char* body;
    const char* names;
  };
  const Case cases[] = {
      {"[]", "cannot unmarshal array"},
      {"\"b\"", "cannot unmarshal string"},
      {R"({"Candidates":"b"})", "Candidates"},
      {R"({"Candidates":[{"ID":1}]})", "Candidates[0].ID"},
      {R"({"Candidates":[{"ID":"b"},{"ID":"c","Priority":"high"}]})", "Candidates[1].Priority"},
      {R"({"Candidates":[{"ID":"b","Priority":1.5}]})", "Priority"},
      {R"({"Candidates":[{"ID":"b","Attributes":{"k":1}}]})", "Attributes"},
      {R"({"Candidates":[{"ID":"b","Metadata":[]}]})", "Metadata"},
      {R"({"Stream":"yes","Candidates":[{"ID":"b"}]})", "Stream"},
      {R"({"Options":{"Headers":{"X":"1"}},"Candidates":[{"ID":"b"}]})", "Headers"},
      {R"({"Plugin":{"Name":false},"Candidates":[{"ID":"b"}]})", "Plugin.Name"},
  };
  for (const Case& c : cases) ExpectError(Pick(c.body), 1, "invalid_request", c.names);
}

TEST_F(AbiTest, InvalidUtf8InAPickIsReplacedNotRefused) {
  Configure("auth_id: b\n");
  EXPECT_EQ(Pick(PickBody({"a\xFF", "b", "c"})).body, AuthReply("b"));
  Configure("auth_id: \"\\uFFFD\"\n");
  EXPECT_EQ(Pick(PickBody({"\xFF", "b"})).body,
            "{\"ok\":true,\"result\":{\"AuthID\":\"\xEF\xBF\xBD\",\"DelegateBuiltin\":\"\","
            "\"Handled\":true}}");
}

TEST_F(AbiTest, NonUtf8BytesOutsideStringsOrInBase64AreErrors) {
  Configure("auth_id: b\n");
  ExpectError(Pick("{\xFF}"), 1, "invalid_request", "invalid JSON at byte 1");
  ExpectError(Pick("{\"Candidates\":[{\"ID\":\"b\"}]}\xC3"), 1, "invalid_request", "invalid JSON");
  // A key that is not UTF-8 is an unknown key, ignored as Go ignores it.
  EXPECT_EQ(Pick("{\"Candidates\xFF\":[],\"Candidates\":[{\"ID\":\"b\"}]}").body, AuthReply("b"));
  ExpectError(Checked(so_.Reconfigure("{\"config_yaml\":\"YX\xFFV0\"}")), 1, "invalid_config",
              "illegal base64 data at input byte 2");
  EXPECT_EQ(PickAbc().body, AuthReply("b"));
}

TEST_F(AbiTest, DeepNestingIsRefusedNotFollowed) {
  std::string deep = R"({"X":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
  ExpectError(Pick(deep), 1, "invalid_request", "nesting");
  std::string open_only(100000, '[');
  ExpectError(Pick(open_only), 1, "invalid_request", "scheduler.pick: ");
}

TEST_F(AbiTest, AHundredThousandCandidatePickIsAnswered) {
  std::vector<std::string> ids;
  ids.reserve(100000);
  for (int i = 0; i < 100000; ++i) ids.push_back("codex-" + std::to_string(i) + ".json");
  std::string body = PickBody(ids);
  Configure("auth_id: codex-99999.json\n");
  EXPECT_EQ(Pick(body).body, AuthReply("codex-99999.json"));
  Configure("auth_id: codex-100000.json\n");
  EXPECT_EQ(Pick(body).body, UnhandledReply());
}

TEST_F(AbiTest, InvalidBase64IsInvalidConfigWithGosOffset) {
  Configure("auth_id: b\n");
  // "auth_id: a\n" is YXV0aF9pZDogYQo= ; unpadded, Go reports byte 12.
  ExpectError(Checked(so_.Reconfigure(R"({"config_yaml":"YXV0aF9pZDogYQo"})")), 1, "invalid_config",
              "illegal base64 data at input byte 12");
  ExpectError(Checked(so_.Reconfigure(R"({"config_yaml":"YXV0aF9pZDog-Qo="})")), 1,
              "invalid_config", "illegal base64 data at input byte 12");
  ExpectError(Checked(so_.Reconfigure(R"({"config_yaml":42})")), 1, "invalid_config",
              "config_yaml");
  ExpectError(Checked(so_.Reconfigure(R"({"config_yaml":[300]})")), 1, "invalid_config",
              "config_yaml");
  EXPECT_EQ(PickAbc().body, AuthReply("b"));  // still the previous configuration
}

TEST_F(AbiTest, Base64WithNewlinesOrAsByteArrayIsAccepted) {
  std::string b64 = Base64("auth_id: b\n");
  std::string with_newlines =
      b64.substr(0, 4) + "\\n" + b64.substr(4, 4) + "\\r\\n" + b64.substr(8);
  ASSERT_EQ(Checked(so_.Register(R"({"config_yaml":")" + with_newlines + R"("})")).rc, 0);
  EXPECT_EQ(PickAbc().body, AuthReply("b"));
  std::string bytes = R"({"config_yaml":[)";
  for (char c : std::string("auth_id: c\n")) bytes += std::to_string(static_cast<int>(c)) + ",";
  bytes.back() = ']';
  ASSERT_EQ(Checked(so_.Reconfigure(bytes + "}")).rc, 0);
  EXPECT_EQ(PickAbc().body, AuthReply("c"));
}

TEST_F(AbiTest, BadLifecycleJsonIsInvalidRequest) {
  Configure("auth_id: b\n");
  ExpectError(Checked(so_.Reconfigure("[]")), 1, "invalid_request", "cannot unmarshal array");
  ExpectError(Checked(so_.Reconfigure(R"({"config_yaml":null}x)")), 1, "invalid_request",
              "invalid JSON");
  ExpectError(Checked(so_.Reconfigure(R"({"config_yaml":)")), 1, "invalid_request",
              "unexpected end of JSON input");
  ExpectError(Checked(so_.Reconfigure(R"({"schema_version":"3"})")), 1, "invalid_request",
              "schema_version");
  EXPECT_EQ(PickAbc().body, AuthReply("b"));
}

// With `fail_open: true` in force a bad configuration is refused, naming what is wrong
// (without it, see ABadConfigurationAfterAGoodOneIsAnsweredOkAndChangesNothing).
TEST_F(AbiTest, InvalidYamlIsInvalidConfigNamingKeyAndPosition) {
  Configure("fail_open: true\nauth_id: b\n");
  ExpectError(Reconfigure("auth_id: [\n"), 1, "invalid_config", "invalid YAML at line");
  ExpectError(Reconfigure("enabled: true\ndeny: 1\n"), 1, "invalid_config",
              "deny: line 2, column 7");
  ExpectError(Reconfigure("deny: \"true\"\n"), 1, "invalid_config", "deny: line 1");
  ExpectError(Reconfigure("auth_id: [b]\n"), 1, "invalid_config", "auth_id: line 1, column 10");
  ExpectError(Reconfigure("auth_id: a\nauth_id: c\n"), 1, "invalid_config",
              "mapping key \"auth_id\" already defined at line 1");
  ExpectError(Reconfigure("just a plain scalar"), 1, "invalid_config", "mapping");
  ExpectError(Reconfigure("auth_id: c\ndeny:true\n"), 1, "invalid_config", "line 2");
  EXPECT_EQ(PickAbc().body, AuthReply("b"));
}

TEST_F(AbiTest, ConfigBytesThatAreNotUtf8AreInvalidConfig) {
  Configure("fail_open: true\nauth_id: b\n");
  ExpectError(Reconfigure("auth_id: \xC3\x28\n"), 1, "invalid_config", "not valid UTF-8");
  ExpectError(Reconfigure("auth_id: a\x01\n"), 1, "invalid_config", "control character");
  EXPECT_EQ(PickAbc().body, AuthReply("b"));
}

// Issue 10: CLIProxyAPI drops a plugin whose reconfigure fails and routes with its own
// strategy over every account. So a bad configuration after a good one is answered ok,
// with the registration in force, and the good one keeps deciding.
TEST_F(AbiTest, ABadConfigurationAfterAGoodOneIsAnsweredOkAndChangesNothing) {
  Reply good = Register("auth_id: b\n");
  ASSERT_EQ(good.rc, 0);
  for (const char* bad : {"auth_id: [\n", "deny: 1\n", "auth_id: \xC3\x28\n", "just a plain scalar",
                          "routes: [{name: x, strategy: stcky}]\n", "fail_open: 1\ndeny: 1\n"}) {
    SCOPED_TRACE(bad);
    Reply r = Reconfigure(bad);
    EXPECT_EQ(r.rc, 0) << r.body;
    EXPECT_EQ(r.body, good.body);
    EXPECT_EQ(PickAbc().body, AuthReply("b"));
  }
}

TEST_F(AbiTest, ABadConfigurationFirstFailsEveryPickClosed) {
  Reply r = Register("deny: 1\n");
  EXPECT_EQ(r.rc, 0) << r.body;
  EXPECT_TRUE(ReadEnvelope(r.body).ok) << r.body;
  Reply pick = PickAbc();
  EXPECT_EQ(pick.rc, 0);
  EXPECT_EQ(pick.body,
            R"({"ok":false,"error":{"code":"scheduler_config_invalid","message":"scheduler )"
            R"(configuration is invalid at line 1, column 7: expected a boolean (true/false, )"
            R"(yes/no, on/off), got `...`","http_status":503}})");
  Configure("auth_id: c\n");
  EXPECT_EQ(PickAbc().body, AuthReply("c"));
}

TEST_F(AbiTest, YamlFollowsYamlV3) {
  Configure("auth_id: 123\n");
  EXPECT_EQ(Pick(PickBody({"a", "123"})).body, AuthReply("123"));
  Configure("Auth_ID: b\n");
  EXPECT_EQ(PickAbc().body, UnhandledReply());
  Configure("auth_id: a\n---\nauth_id: b\n");
  EXPECT_EQ(PickAbc().body, AuthReply("a"));
  Configure("deny: yes\n");
  EXPECT_EQ(PickAbc().body, DeniedReply());
  Configure("~");
  EXPECT_EQ(PickAbc().body, UnhandledReply());
}

TEST_F(AbiTest, NothingIsWrittenToStdoutOrStderr) {
  std::fflush(stdout);
  std::fflush(stderr);
  char path[] = "/tmp/cliproxy-abi-output-XXXXXX";
  int capture = mkstemp(path);
  ASSERT_GE(capture, 0);
  int saved_out = dup(1);
  int saved_err = dup(2);
  dup2(capture, 1);
  dup2(capture, 2);
  so_.Call(nullptr, std::nullopt);
  so_.Pick("{");
  so_.Pick(PickBody(kAbc));
  so_.Register(LifecycleBody("auth_id: [\n"));
  so_.Register(LifecycleBody("deny: true\n"));
  so_.Pick(PickBody(kAbc));
  so_.Call("nope", "{}");
  std::fflush(stdout);
  std::fflush(stderr);
  dup2(saved_out, 1);
  dup2(saved_err, 2);
  close(saved_out);
  close(saved_err);
  off_t size = lseek(capture, 0, SEEK_END);
  close(capture);
  unlink(path);
  EXPECT_EQ(size, 0);
}

}  // namespace
}  // namespace cliproxy::abi_test
