// PluginHost driven through the scripted C fixture: registration, priorities, pick
// normalization end to end, errors, fusing, usage delivery, unloading.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"
#include "cliproxy/json.hpp"
#include "host_test_support.hpp"
#include "support/loaded_plugin.hpp"

namespace cliproxy::host {
namespace {

using test_support::IsMapped;
using testing::CopyPlugin;
using testing::LinesStartingWith;
using testing::MakeCandidate;
using testing::MakeRequest;
using testing::ReadLines;
using testing::Script;
using testing::TempDir;

using Entries = std::initializer_list<std::pair<std::string, std::string>>;

class PluginHostTest : public ::testing::Test {
 protected:
  explicit PluginHostTest(HostOptions options = {}) : host_(std::move(options)) {}

  // Loads a private copy of the scripted fixture as `id`, logging to its own marker.
  Status LoadScripted(const std::string& id, int64_t priority, Entries entries = {}) {
    return host_.Load(id, CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir_, id + ".so"),
                      Settings(id, priority, entries));
  }
  Status ReconfigureScripted(const std::string& id, int64_t priority, Entries entries = {}) {
    return host_.Reconfigure(id, Settings(id, priority, entries));
  }
  PluginSettings Settings(const std::string& id, int64_t priority, Entries entries) {
    PluginSettings settings;
    settings.priority = priority;
    settings.config_yaml = Script({{"marker", Marker(id)}}) + Script(entries);
    return settings;
  }
  std::string Marker(const std::string& id) const { return dir_.File(id + ".marker"); }
  size_t PicksSeenBy(const std::string& id) const {
    return LinesStartingWith(ReadLines(Marker(id)), "scheduler.pick ").size();
  }
  PluginState StateOf(const std::string& id) const { return host_.Info(id).value().state; }
  bool HasLog(const std::string& message) const {
    std::vector<LogEntry> logs = host_.Logs();
    return std::any_of(logs.begin(), logs.end(),
                       [&](const LogEntry& e) { return e.message == message; });
  }

  static PickRequest Request() {
    return MakeRequest({MakeCandidate("c"), MakeCandidate("a"), MakeCandidate("b")});
  }

  TempDir dir_;      // outlives the host: plugins write their markers into it
  PluginHost host_;  // destroyed first
};

// --- registration ------------------------------------------------------------------------

TEST_F(PluginHostTest, RegisterSendsTheConfigAndTheHostSchemaVersion) {
  PluginSettings settings = Settings("p", 3, {{"extra", "value: with colon"}});
  ASSERT_TRUE(host_.Load("p", CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir_, "p.so"), settings).ok());
  std::vector<std::string> calls = LinesStartingWith(ReadLines(Marker("p")), "plugin.");
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].rfind("plugin.register ", 0), 0u) << calls[0];
  LifecycleRequest sent;
  ASSERT_TRUE(json::DecodeLifecycleRequest(calls[0].substr(16), &sent).ok());
  EXPECT_EQ(sent.config_yaml, settings.config_yaml);
  EXPECT_EQ(sent.schema_version, kHostSchemaVersion);
  EXPECT_EQ(kHostSchemaVersion, 6);

  std::optional<PluginInfo> info = host_.Info("p");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->state, PluginState::kActive);
  EXPECT_EQ(info->registration.metadata.name, "fixture");
  EXPECT_TRUE(info->registration.capabilities.scheduler);
  EXPECT_EQ(info->schema_version, 1);
  EXPECT_EQ(info->settings.priority, 3);
}

TEST_F(PluginHostTest, LaterRegistrationsAreReconfigures) {
  ASSERT_TRUE(LoadScripted("p", 0).ok());
  ASSERT_TRUE(ReconfigureScripted("p", 0).ok());
  std::vector<std::string> calls = LinesStartingWith(ReadLines(Marker("p")), "plugin.");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].rfind("plugin.register ", 0), 0u);
  EXPECT_EQ(calls[1].rfind("plugin.reconfigure ", 0), 0u);
}

TEST_F(PluginHostTest, SchemaVersionZeroCountsAsOne) {
  ASSERT_TRUE(LoadScripted("p", 0, {{"schema_version", "0"}}).ok());
  EXPECT_EQ(host_.Info("p")->schema_version, 1);
  ASSERT_TRUE(ReconfigureScripted("p", 0, {{"schema_version", "6"}}).ok());
  EXPECT_EQ(host_.Info("p")->schema_version, 6);
}

TEST_F(PluginHostTest, NonSchedulerCapabilityAloneIsEnough) {
  ASSERT_TRUE(LoadScripted("p", 0, {{"capabilities", "management_api"}}).ok());
  EXPECT_EQ(StateOf("p"), PluginState::kActive);
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kNoScheduler);  // not a scheduler
}

TEST_F(PluginHostTest, EveryFlagButTheQualifiersCountsAlone) {
  // CLIProxyAPI's validPlugin list leaves these out; the others make a plugin valid alone.
  const std::set<std::string_view> uncounted = {
      "request_lifecycle_plugin", "outbound_header_interceptor", "frontend_auth_provider_exclusive",
      "scheduler_across_priorities"};
  size_t flags = 0;
  for (const json::CapabilityKey& key : json::CapabilityKeys()) {
    if (key.kind != json::CapabilityKind::kFlag) continue;
    ++flags;
    std::string id(key.name);
    bool counts = uncounted.count(key.name) == 0;
    EXPECT_EQ(LoadScripted(id, 0, {{"capabilities", id}}).ok(), counts) << id;
    EXPECT_EQ(StateOf(id), counts ? PluginState::kActive : PluginState::kInactive) << id;
    EXPECT_EQ(CountsAsCapability(key.name), counts) << id;
  }
  EXPECT_EQ(flags, 24u);
  EXPECT_FALSE(CountsAsCapability("executor_model_scope"));
  EXPECT_FALSE(CountsAsCapability("no_such_capability"));
  // Only the scheduler capability makes a plugin the scheduler.
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kUnhandled);
  EXPECT_EQ(PicksSeenBy("scheduler"), 1u);
  EXPECT_EQ(PicksSeenBy("executor"), 0u);
}

TEST_F(PluginHostTest, ExecutorSettingsAreKeptInTheRegistration) {
  ASSERT_TRUE(LoadScripted("p", 0,
                           {{"register_reply",
                             R"({"ok":true,"result":{"metadata":{"Name":"x","Version":"1",)"
                             R"("Author":"a","GitHubRepository":"r"},"capabilities":)"
                             R"({"executor":true,"executor_model_scope":"static",)"
                             R"("executor_input_formats":["openai","claude"],)"
                             R"("executor_output_formats":["openai"]}}})"}})
                  .ok());
  const Capabilities c = host_.Info("p")->registration.capabilities;
  EXPECT_TRUE(c.executor);
  EXPECT_FALSE(c.scheduler);
  EXPECT_EQ(c.executor_model_scope, "static");
  EXPECT_EQ(c.executor_input_formats, (std::vector<std::string>{"openai", "claude"}));
  EXPECT_EQ(c.executor_output_formats, std::vector<std::string>{"openai"});
}

struct BadRegistration {
  const char* name;
  std::pair<std::string, std::string> entry;
  std::string reason;
  bool reason_is_prefix = false;  // the rest is the SDK decoder's wording
};

class RegistrationValidationTest : public PluginHostTest,
                                   public ::testing::WithParamInterface<BadRegistration> {};

TEST_P(RegistrationValidationTest, MakesThePluginInactive) {
  const BadRegistration& bad = GetParam();
  Status status = LoadScripted("p", 0, {bad.entry});
  ASSERT_FALSE(status.ok());
  if (bad.reason_is_prefix) {
    EXPECT_EQ(status.message().rfind(bad.reason, 0), 0u) << status.message();
  } else {
    EXPECT_EQ(status.message(), bad.reason);
  }
  std::optional<PluginInfo> info = host_.Info("p");
  ASSERT_TRUE(info.has_value()) << "a plugin whose registration fails stays loaded";
  EXPECT_EQ(info->state, PluginState::kInactive);
  EXPECT_EQ(info->reason, status.message());
  EXPECT_TRUE(HasLog("pluginhost: " + status.message()));
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kNoScheduler);
  EXPECT_EQ(PicksSeenBy("p"), 0u);
}

const char kInvalidMetadata[] = "plugin p returned invalid metadata or no capabilities";

INSTANTIATE_TEST_SUITE_P(
    Rules, RegistrationValidationTest,
    ::testing::Values(
        BadRegistration{"EmptyName", {"name", ""}, kInvalidMetadata},
        BadRegistration{"BlankName", {"name", "\" \\t \""}, kInvalidMetadata},
        BadRegistration{"EmptyVersion", {"version", ""}, kInvalidMetadata},
        BadRegistration{"EmptyAuthor", {"author", "\"  \""}, kInvalidMetadata},
        BadRegistration{"EmptyRepository", {"repo", ""}, kInvalidMetadata},
        BadRegistration{"NoCapability", {"capabilities", ""}, kInvalidMetadata},
        BadRegistration{"OnlyUncountedCapability",
                        {"capabilities", "request_lifecycle_plugin"},
                        kInvalidMetadata},
        BadRegistration{"SchemaAboveHost",
                        {"schema_version", "7"},
                        "plugin p plugin.register failed: plugin schema version 7 is not "
                        "supported"},
        BadRegistration{"NegativeSchema",
                        {"schema_version", "-1"},
                        "plugin p plugin.register failed: plugin schema version -1 is not "
                        "supported"},
        BadRegistration{
            "ErrorEnvelope",
            {"register_reply",
             R"({"ok":false,"error":{"code":"invalid_config","message":" bad yaml "}})"},
            "plugin p plugin.register failed: bad yaml"},
        BadRegistration{"NotAnEnvelope",
                        {"register_reply", "garbage"},
                        "plugin p plugin.register failed: decode plugin envelope "
                        "plugin.register: ",
                        true},
        BadRegistration{"ResultOfWrongShape",
                        {"register_reply", R"({"ok":true,"result":{"schema_version":"one"}})"},
                        "plugin p plugin.register failed: decode plugin result plugin.register: "
                        "schema_version: ",
                        true},
        BadRegistration{"EmptyResult", {"register_reply", R"({"ok":true})"}, kInvalidMetadata}),
    [](const ::testing::TestParamInfo<BadRegistration>& p) { return p.param.name; });

TEST_F(PluginHostTest, NonZeroRegisterCodeWithoutEnvelopeMakesThePluginInactive) {
  Status status = LoadScripted("p", 0, {{"register_rc", "1"}, {"register_reply", "boom"}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "plugin p plugin.register failed: plugin call plugin.register "
            "returned 1: boom");
  EXPECT_EQ(StateOf("p"), PluginState::kInactive);  // inactive, not fused
}

TEST_F(PluginHostTest, FailedReconfigureMakesThePluginInactiveUntilOneSucceeds) {
  ASSERT_TRUE(LoadScripted(
                  "p", 0, {{"pick_reply", R"({"ok":true,"result":{"AuthID":"b","Handled":true}})"}})
                  .ok());
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kPluginAuth);

  Status failed = ReconfigureScripted(
      "p", 0,
      {{"register_rc", "1"},
       {"register_reply", R"({"ok":false,"error":{"code":"invalid_config","message":"nope"}})"},
       {"pick_reply", R"({"ok":true,"result":{"AuthID":"b","Handled":true}})"}});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.message(), "plugin p plugin.reconfigure failed: nope");
  EXPECT_EQ(StateOf("p"), PluginState::kInactive);
  EXPECT_TRUE(host_.Info("p")->registration.metadata.name.empty()) << "old registration kept";
  PickOutcome while_inactive = host_.Pick(Request());
  EXPECT_EQ(while_inactive.decision, PickDecision::kNoScheduler);
  EXPECT_EQ(PicksSeenBy("p"), 1u);

  ASSERT_TRUE(ReconfigureScripted(
                  "p", 0, {{"pick_reply", R"({"ok":true,"result":{"AuthID":"c","Handled":true}})"}})
                  .ok());
  EXPECT_EQ(StateOf("p"), PluginState::kActive);
  PickOutcome again = host_.Pick(Request());
  EXPECT_EQ(again.decision, PickDecision::kPluginAuth);
  EXPECT_EQ(again.auth_id, "c");
}

TEST_F(PluginHostTest, FailedFirstRegisterIsRetriedAsReconfigure) {
  ASSERT_FALSE(LoadScripted("p", 0, {{"name", ""}}).ok());
  ASSERT_TRUE(ReconfigureScripted("p", 0).ok());
  EXPECT_EQ(StateOf("p"), PluginState::kActive);
  std::vector<std::string> calls = LinesStartingWith(ReadLines(Marker("p")), "plugin.");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].rfind("plugin.reconfigure ", 0), 0u);
}

TEST_F(PluginHostTest, DisabledPluginIsLoadedButNeitherRegisteredNorAsked) {
  PluginSettings settings = Settings("p", 9, {});
  settings.enabled = false;
  ASSERT_TRUE(host_.Load("p", CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir_, "p.so"), settings).ok());
  EXPECT_EQ(StateOf("p"), PluginState::kDisabled);
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kNoScheduler);
  EXPECT_TRUE(ReadLines(Marker("p")).empty());
  settings.enabled = true;
  ASSERT_TRUE(host_.Reconfigure("p", settings).ok());
  EXPECT_EQ(StateOf("p"), PluginState::kActive);
  EXPECT_EQ(LinesStartingWith(ReadLines(Marker("p")), "plugin.register ").size(), 1u);
}

TEST_F(PluginHostTest, LoadRefusesBadIdsDuplicatesAndUnloadableFiles) {
  std::string path = CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir_, "p.so");
  EXPECT_FALSE(host_.Load("-bad", path, {}).ok());
  EXPECT_FALSE(host_.Load("has space", path, {}).ok());
  EXPECT_FALSE(host_.Load(std::string(129, 'a'), path, {}).ok());
  ASSERT_TRUE(host_.Load("p", path, {}).ok());
  EXPECT_FALSE(host_.Load("p", CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir_, "q.so"), {}).ok());
  Status same_file = host_.Load("other", path, {});
  ASSERT_FALSE(same_file.ok());
  EXPECT_EQ(same_file.message(), path + " is already loaded as plugin p");
  Status broken = host_.Load("v2", CLIPROXY_FIXTURE_ABI_V2, {});
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.message().find("plugin ABI version 2 is not supported"), std::string::npos);
  EXPECT_FALSE(host_.Info("v2").has_value());
  EXPECT_EQ(host_.Plugins().size(), 1u);
}

// --- which scheduler is asked -----------------------------------------------------------

constexpr const char* kAuthA = R"({"ok":true,"result":{"AuthID":"a","Handled":true}})";
constexpr const char* kAuthB = R"({"ok":true,"result":{"AuthID":"b","Handled":true}})";
constexpr const char* kUnhandled = R"({"ok":true,"result":{"Handled":false}})";

TEST_F(PluginHostTest, OnlyTheHighestPrioritySchedulerIsAsked) {
  ASSERT_TRUE(LoadScripted("low", 1, {{"pick_reply", kAuthA}}).ok());
  ASSERT_TRUE(LoadScripted("high", 5, {{"pick_reply", kAuthB}}).ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kPluginAuth);
  EXPECT_EQ(outcome.plugin_id, "high");
  EXPECT_EQ(outcome.auth_id, "b");
  EXPECT_EQ(PicksSeenBy("high"), 1u);
  EXPECT_EQ(PicksSeenBy("low"), 0u);
}

TEST_F(PluginHostTest, UnhandledIsNotPassedToALowerPriorityScheduler) {
  ASSERT_TRUE(LoadScripted("high", 5, {{"pick_reply", kUnhandled}}).ok());
  ASSERT_TRUE(LoadScripted("low", 1, {{"pick_reply", kAuthB}}).ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kUnhandled);
  EXPECT_EQ(outcome.plugin_id, "high");
  EXPECT_EQ(outcome.builtin, BuiltinStrategy::kRoundRobin);
  EXPECT_EQ(outcome.auth_id, "a");
  EXPECT_EQ(PicksSeenBy("low"), 0u);
}

TEST_F(PluginHostTest, EqualPrioritiesGoToTheLowerId) {
  ASSERT_TRUE(LoadScripted("beta", 2, {{"pick_reply", kAuthB}}).ok());
  ASSERT_TRUE(LoadScripted("alpha", 2, {{"pick_reply", kAuthA}}).ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.plugin_id, "alpha");
  EXPECT_EQ(outcome.auth_id, "a");
  EXPECT_EQ(PicksSeenBy("beta"), 0u);
  std::vector<PluginInfo> order = host_.Plugins();
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0].id, "alpha");
}

TEST_F(PluginHostTest, PluginsAreListedInSchedulerOrder) {
  ASSERT_TRUE(LoadScripted("b", 1).ok());
  ASSERT_TRUE(LoadScripted("c", 7).ok());
  ASSERT_TRUE(LoadScripted("a", 1).ok());
  std::vector<std::string> ids;
  for (const PluginInfo& info : host_.Plugins()) ids.push_back(info.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"c", "a", "b"}));
}

TEST_F(PluginHostTest, InactiveHigherPrioritySchedulerIsPassedOver) {
  ASSERT_FALSE(LoadScripted("high", 5, {{"author", ""}, {"pick_reply", kAuthB}}).ok());
  ASSERT_TRUE(LoadScripted("low", 1, {{"pick_reply", kAuthA}}).ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.plugin_id, "low");
  EXPECT_EQ(outcome.auth_id, "a");
}

TEST_F(PluginHostTest, ReconfiguredPriorityReordersSchedulers) {
  ASSERT_TRUE(LoadScripted("one", 1, {{"pick_reply", kAuthA}}).ok());
  ASSERT_TRUE(LoadScripted("two", 2, {{"pick_reply", kAuthB}}).ok());
  EXPECT_EQ(host_.Pick(Request()).plugin_id, "two");
  ASSERT_TRUE(ReconfigureScripted("one", 3, {{"pick_reply", kAuthA}}).ok());
  EXPECT_EQ(host_.Pick(Request()).plugin_id, "one");
}

TEST_F(PluginHostTest, PickRequestCarriesThePluginsMetadata) {
  ASSERT_TRUE(LoadScripted("p", 0, {{"name", "sched-x"}, {"pick_reply", kAuthA}}).ok());
  PickRequest request = Request();
  request.plugin.name = "set by the caller";
  ASSERT_EQ(host_.Pick(request).decision, PickDecision::kPluginAuth);
  std::vector<std::string> picks = LinesStartingWith(ReadLines(Marker("p")), "scheduler.pick ");
  ASSERT_EQ(picks.size(), 1u);
  PickRequest seen;
  ASSERT_TRUE(json::DecodePickRequest(picks[0].substr(15), &seen, json::PickFields::All()).ok());
  EXPECT_EQ(seen.plugin.name, "sched-x");
  EXPECT_EQ(seen.plugin.github_repository, "https://example.invalid/fixture");
  EXPECT_EQ(seen.model, "gpt-5");
  ASSERT_EQ(seen.candidates.size(), 3u);
  EXPECT_EQ(seen.candidates[0].id, "c");  // as given: the host does not reorder
  // Byte for byte the request with the plugin's registered metadata in `Plugin`.
  PickRequest expected = request;
  expected.plugin = host_.Info("p")->registration.metadata;
  EXPECT_EQ(picks[0].substr(15), json::EncodePickRequest(expected));
}

// --- normalization, end to end ----------------------------------------------------------

struct ReplyCase {
  const char* name;
  std::string result;  // the `result` of an ok envelope ("" = no result key)
  PickDecision decision;
  std::string auth_id;
  std::optional<BuiltinStrategy> builtin;
  std::string reason;
};

class PickNormalizationTest : public PluginHostTest,
                              public ::testing::WithParamInterface<ReplyCase> {
 protected:
  // Built-ins: fill-first by default, so a fallback is recognisable ("a", no cursor).
  PickNormalizationTest() : PluginHostTest(FillFirst()) {}
  static HostOptions FillFirst() {
    HostOptions options;
    options.routing_strategy = BuiltinStrategy::kFillFirst;
    return options;
  }
};

TEST_P(PickNormalizationTest, DecidesAsCliProxyApi) {
  const ReplyCase& c = GetParam();
  std::string reply =
      c.result.empty() ? R"({"ok":true})" : R"({"ok":true,"result":)" + c.result + "}";
  ASSERT_TRUE(LoadScripted("p", 0, {{"pick_reply", reply}}).ok());
  PickRequest request = MakeRequest({MakeCandidate("c"), MakeCandidate("b"), MakeCandidate("a")});
  PickOutcome outcome = host_.Pick(request);
  EXPECT_EQ(outcome.decision, c.decision) << PickDecisionName(outcome.decision);
  EXPECT_EQ(outcome.plugin_id, "p");
  EXPECT_EQ(outcome.auth_id, c.auth_id);
  EXPECT_EQ(outcome.builtin, c.builtin);
  EXPECT_EQ(outcome.reason, c.reason);
  EXPECT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.reply, (CallReply{0, reply}));
  EXPECT_EQ(HasLog("pluginhost: scheduler returned invalid response: " + c.reason),
            c.decision == PickDecision::kInvalidReply);
  EXPECT_EQ(StateOf("p"), PluginState::kActive);  // none of these fuses
}

constexpr auto kAuth = PickDecision::kPluginAuth;
constexpr auto kDelegate = PickDecision::kPluginDelegate;
constexpr auto kUnhandledDecision = PickDecision::kUnhandled;
constexpr auto kInvalid = PickDecision::kInvalidReply;
constexpr auto kFF = BuiltinStrategy::kFillFirst;
constexpr auto kRR = BuiltinStrategy::kRoundRobin;

INSTANTIATE_TEST_SUITE_P(
    Rules, PickNormalizationTest,
    ::testing::Values(
        ReplyCase{"KnownAuth", R"({"AuthID":"b","DelegateBuiltin":"","Handled":true})", kAuth, "b",
                  std::nullopt, ""},
        ReplyCase{"AuthTrimmed", R"({"AuthID":" \tb\n","Handled":true})", kAuth, "b", std::nullopt,
                  ""},
        ReplyCase{"DelegateTrimmed", R"({"DelegateBuiltin":"  round-robin ","Handled":true})",
                  kDelegate, "a", kRR, ""},
        ReplyCase{"DelegateFillFirst",
                  R"({"AuthID":"","DelegateBuiltin":"fill-first","Handled":true})", kDelegate, "a",
                  kFF, ""},
        ReplyCase{"UnknownAuth", R"({"AuthID":"zzz","Handled":true})", kInvalid, "a", kFF,
                  "unknown auth id"},
        ReplyCase{"UnknownAuthBesideValidDelegate",
                  R"({"AuthID":"zzz","DelegateBuiltin":"round-robin","Handled":true})", kInvalid,
                  "a", kFF, "unknown auth id"},
        ReplyCase{"ValidAuthWinsOverInvalidDelegate",
                  R"({"AuthID":"c","DelegateBuiltin":"weighted","Handled":true})", kAuth, "c",
                  std::nullopt, ""},
        ReplyCase{"UnknownDelegate", R"({"DelegateBuiltin":"ROUND-ROBIN","Handled":true})",
                  kInvalid, "a", kFF, "unknown delegate"},
        ReplyCase{"NeitherSet", R"({"AuthID":"","DelegateBuiltin":"","Handled":true})", kInvalid,
                  "a", kFF, "missing auth id or delegate"},
        ReplyCase{"OnlyBlanks", R"({"AuthID":"  ","DelegateBuiltin":"\t","Handled":true})",
                  kInvalid, "a", kFF, "missing auth id or delegate"},
        ReplyCase{"HandledFalse", R"({"AuthID":"b","DelegateBuiltin":"","Handled":false})",
                  kUnhandledDecision, "a", kFF, ""},
        ReplyCase{"HandledMissing", R"({"AuthID":"b"})", kUnhandledDecision, "a", kFF, ""},
        ReplyCase{"LowercaseKeys", R"({"authid":"b","delegatebuiltin":"","handled":true})", kAuth,
                  "b", std::nullopt, ""},
        ReplyCase{"UppercaseKeys", R"({"AUTHID":"b","HANDLED":true})", kAuth, "b", std::nullopt,
                  ""},
        ReplyCase{"SnakeCaseIsNotAKey", R"({"auth_id":"b","handled":true})", kInvalid, "a", kFF,
                  "missing auth id or delegate"},
        ReplyCase{"UnknownKeysIgnored", R"({"AuthID":"b","Handled":true,"Weight":3})", kAuth, "b",
                  std::nullopt, ""},
        ReplyCase{"LastDuplicateWins", R"({"AuthID":"b","AuthID":"c","Handled":true})", kAuth, "c",
                  std::nullopt, ""},
        ReplyCase{"NoResult", "", kUnhandledDecision, "a", kFF, ""},
        ReplyCase{"NullResult", "null", kUnhandledDecision, "a", kFF, ""},
        ReplyCase{"EmptyResult", "{}", kUnhandledDecision, "a", kFF, ""}),
    [](const ::testing::TestParamInfo<ReplyCase>& p) { return p.param.name; });

TEST_F(PluginHostTest, DelegatedRoundRobinKeepsItsCursorAcrossPicks) {
  ASSERT_TRUE(
      LoadScripted("p", 0,
                   {{"pick_reply",
                     R"({"ok":true,"result":{"DelegateBuiltin":"round-robin","Handled":true}})"}})
          .ok());
  std::vector<std::string> picks;
  for (int i = 0; i < 4; ++i) picks.push_back(host_.Pick(Request()).auth_id);
  EXPECT_EQ(picks, (std::vector<std::string>{"a", "b", "c", "a"}));
}

TEST_F(PluginHostTest, DelegateOverTheCandidatesOfThePick) {
  ASSERT_TRUE(
      LoadScripted("p", 0,
                   {{"pick_reply",
                     R"({"ok":true,"result":{"DelegateBuiltin":"fill-first","Handled":true}})"}})
          .ok());
  PickRequest request =
      MakeRequest({MakeCandidate("z", 1), MakeCandidate("y", 1), MakeCandidate("a", 0)});
  EXPECT_EQ(host_.Pick(request).auth_id, "y");
}

TEST_F(PluginHostTest, BuiltinWithoutUsableCandidateFailsThePick) {
  ASSERT_TRUE(LoadScripted("p", 0, {{"pick_reply", kUnhandled}}).ok());
  PickOutcome outcome = host_.Pick(MakeRequest({}));
  EXPECT_EQ(outcome.decision, PickDecision::kUnhandled);
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.auth_id, "");
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->code, kErrorNoAuth);
  EXPECT_EQ(outcome.error->message, "no auth available");
}

TEST_F(PluginHostTest, WithoutSchedulerTheConfiguredBuiltinPicks) {
  PickOutcome first = host_.Pick(Request());
  EXPECT_EQ(first.decision, PickDecision::kNoScheduler);
  EXPECT_EQ(first.plugin_id, "");
  EXPECT_EQ(first.reply, CallReply{});
  EXPECT_EQ(first.builtin, BuiltinStrategy::kRoundRobin);  // CLIProxyAPI's default
  EXPECT_EQ(first.auth_id, "a");
  EXPECT_EQ(host_.Pick(Request()).auth_id, "b");
}

// --- errors: the pick fails, nothing else is tried ---------------------------------------

TEST_F(PluginHostTest, ErrorEnvelopeFailsThePickWithItsStatus) {
  ASSERT_TRUE(
      LoadScripted(
          "high", 5,
          {{"pick_reply",
            R"({"ok":false,"error":{"code":"quota_exhausted","message":"  slow down ","retryable":true,"http_status":429}})"}})
          .ok());
  ASSERT_TRUE(LoadScripted("low", 1, {{"pick_reply", kAuthA}}).ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kError);
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.auth_id, "");
  EXPECT_EQ(outcome.builtin, std::nullopt);
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->code, "quota_exhausted");
  EXPECT_EQ(outcome.error->message, "slow down");
  EXPECT_EQ(outcome.error->http_status, 429);
  EXPECT_EQ(PicksSeenBy("low"), 0u);
  EXPECT_EQ(StateOf("high"), PluginState::kActive);
  EXPECT_TRUE(HasLog("pluginhost: scheduler rejected auth pick"));
  EXPECT_EQ(host_.Pick(Request()).plugin_id, "high") << "an error does not fuse";
}

TEST_F(PluginHostTest, ErrorEnvelopeWithNonZeroCodeIsAnErrorNotAFuse) {
  ASSERT_TRUE(
      LoadScripted("p", 0,
                   {{"pick_rc", "1"},
                    {"pick_reply",
                     R"({"ok":false,"error":{"code":"plugin_error","message":"bad request"}})"}})
          .ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kError);
  EXPECT_EQ(outcome.error->message, "bad request");
  EXPECT_EQ(outcome.error->http_status, 0);
  EXPECT_EQ(StateOf("p"), PluginState::kActive);
}

TEST_F(PluginHostTest, OkFalseWithoutErrorFailsAsPluginCallFailed) {
  ASSERT_TRUE(LoadScripted("p", 0, {{"pick_reply", R"({"ok":false})"}}).ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kError);
  EXPECT_EQ(outcome.error->message, "plugin call failed");
}

TEST_F(PluginHostTest, UndecodableResultFailsThePick) {
  ASSERT_TRUE(
      LoadScripted("p", 0, {{"pick_reply", R"({"ok":true,"result":{"Handled":"yes"}})"}}).ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kError);
  EXPECT_EQ(outcome.error->code, kErrorInvalidResult);
  EXPECT_EQ(outcome.error->message.rfind("decode plugin result scheduler.pick: Handled", 0), 0u)
      << outcome.error->message;
  EXPECT_EQ(StateOf("p"), PluginState::kActive);
}

// --- fusing -------------------------------------------------------------------------------

struct FuseCase {
  const char* name;
  std::string rc;
  std::pair<std::string, std::string> reply;  // pick_reply or pick_reply_empty
  std::string reason;
  bool reason_is_prefix = false;  // the rest is the SDK decoder's wording
};

class FuseTest : public PluginHostTest, public ::testing::WithParamInterface<FuseCase> {};

TEST_P(FuseTest, FusesAndFallsBackToTheBuiltin) {
  const FuseCase& c = GetParam();
  ASSERT_TRUE(LoadScripted("p", 5, {{"pick_rc", c.rc}, c.reply}).ok());
  PickOutcome fused = host_.Pick(Request());
  EXPECT_EQ(fused.decision, PickDecision::kFused);
  EXPECT_EQ(fused.plugin_id, "p");
  if (c.reason_is_prefix) {
    EXPECT_EQ(fused.reason.rfind(c.reason, 0), 0u) << fused.reason;
  } else {
    EXPECT_EQ(fused.reason, c.reason);
  }
  EXPECT_EQ(fused.builtin, BuiltinStrategy::kRoundRobin);
  EXPECT_EQ(fused.auth_id, "a");
  EXPECT_TRUE(fused.ok());
  EXPECT_EQ(StateOf("p"), PluginState::kFused);
  EXPECT_EQ(host_.Info("p")->reason, fused.reason);
  EXPECT_TRUE(HasLog("pluginhost: plugin fused: " + fused.reason));

  // Skipped from now on: the built-in decides without asking it.
  PickOutcome after = host_.Pick(Request());
  EXPECT_EQ(after.decision, PickDecision::kNoScheduler);
  EXPECT_EQ(after.auth_id, "b");
  EXPECT_EQ(PicksSeenBy("p"), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, FuseTest,
    ::testing::Values(
        FuseCase{"NonZeroCodeWithText",
                 "1",
                 {"pick_reply", "boom"},
                 "plugin call scheduler.pick returned 1: boom"},
        FuseCase{
            "NonZeroCodeWithSuccessEnvelope",
            "2",
            {"pick_reply", R"({"ok":true,"result":{"AuthID":"b","Handled":true}})"},
            R"(plugin call scheduler.pick returned 2: {"ok":true,"result":{"AuthID":"b","Handled":true}})"},
        FuseCase{"NonZeroCodeWithEmptyReply",
                 "3",
                 {"pick_reply_empty", "true"},
                 "plugin call scheduler.pick returned 3: "},
        FuseCase{"NotJson",
                 "0",
                 {"pick_reply", "not json"},
                 "decode plugin envelope scheduler.pick: ",
                 true},
        FuseCase{"JsonButNotAnEnvelope",
                 "0",
                 {"pick_reply", "[true]"},
                 "decode plugin envelope scheduler.pick: ",
                 true},
        FuseCase{"EmptyReply",
                 "0",
                 {"pick_reply_empty", "true"},
                 "decode plugin envelope scheduler.pick: empty reply"}),
    [](const ::testing::TestParamInfo<FuseCase>& p) { return p.param.name; });

TEST_F(PluginHostTest, FusedTopSchedulerHandsOverToTheNext) {
  ASSERT_TRUE(LoadScripted("high", 5, {{"pick_rc", "1"}, {"pick_reply", "boom"}}).ok());
  ASSERT_TRUE(LoadScripted("low", 1, {{"pick_reply", kAuthB}}).ok());
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kFused);
  EXPECT_EQ(PicksSeenBy("low"), 0u) << "the pick that fused falls back to the built-in";
  PickOutcome next = host_.Pick(Request());
  EXPECT_EQ(next.plugin_id, "low");
  EXPECT_EQ(next.auth_id, "b");
}

TEST_F(PluginHostTest, FusedPluginIsClearedOnlyByReloading) {
  std::string path = CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir_, "p.so");
  PluginSettings broken = Settings("p", 0, {{"pick_rc", "1"}, {"pick_reply", "boom"}});
  ASSERT_TRUE(host_.Load("p", path, broken).ok());
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kFused);

  PluginSettings fixed = Settings("p", 0, {{"pick_reply", kAuthB}});
  Status refused = host_.Reconfigure("p", fixed);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("is fused"), std::string::npos);
  EXPECT_EQ(StateOf("p"), PluginState::kFused);

  ASSERT_TRUE(host_.Unload("p").ok());
  ASSERT_TRUE(host_.Load("p", path, fixed).ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kPluginAuth);
  EXPECT_EQ(outcome.auth_id, "b");
}

// --- usage --------------------------------------------------------------------------------

UsageRecord SampleUsage() {
  UsageRecord record;
  record.provider = "codex";
  record.model = "gpt-5";
  record.auth_id = "a";
  record.latency_ns = 1500000000;
  record.detail.total_tokens = 42;
  return record;
}

TEST_F(PluginHostTest, UsageGoesOnlyToActiveUsagePlugins) {
  ASSERT_TRUE(LoadScripted("usage", 0, {{"capabilities", "usage_plugin"}}).ok());
  ASSERT_TRUE(LoadScripted("both", 0, {{"capabilities", "scheduler usage_plugin"}}).ok());
  ASSERT_TRUE(LoadScripted("sched", 0, {{"capabilities", "scheduler"}}).ok());
  ASSERT_FALSE(LoadScripted("broken", 0, {{"capabilities", "usage_plugin"}, {"name", ""}}).ok());

  UsageRecord record = SampleUsage();
  EXPECT_EQ(host_.DeliverUsage(record), 2u);
  std::string expected = "usage.handle " + json::EncodeUsageRecord(record);
  EXPECT_EQ(LinesStartingWith(ReadLines(Marker("usage")), "usage.handle"),
            std::vector<std::string>{expected});
  EXPECT_EQ(LinesStartingWith(ReadLines(Marker("both")), "usage.handle"),
            std::vector<std::string>{expected});
  EXPECT_TRUE(LinesStartingWith(ReadLines(Marker("sched")), "usage.handle").empty());
  EXPECT_TRUE(LinesStartingWith(ReadLines(Marker("broken")), "usage.handle").empty());
}

TEST_F(PluginHostTest, UsageErrorsAreIgnored) {
  ASSERT_TRUE(
      LoadScripted("usage", 0,
                   {{"capabilities", "usage_plugin"},
                    {"usage_reply", R"({"ok":false,"error":{"code":"x","message":"full"}})"}})
          .ok());
  EXPECT_EQ(host_.DeliverUsage(SampleUsage()), 1u);
  EXPECT_EQ(host_.DeliverUsage(SampleUsage()), 1u);
  EXPECT_EQ(StateOf("usage"), PluginState::kActive);
}

TEST_F(PluginHostTest, UsageProtocolFailureFuses) {
  ASSERT_TRUE(
      LoadScripted("usage", 0,
                   {{"capabilities", "usage_plugin"}, {"usage_rc", "1"}, {"usage_reply", "crash"}})
          .ok());
  EXPECT_EQ(host_.DeliverUsage(SampleUsage()), 1u);
  EXPECT_EQ(StateOf("usage"), PluginState::kFused);
  EXPECT_EQ(host_.Info("usage")->reason, "plugin call usage.handle returned 1: crash");
  EXPECT_EQ(host_.DeliverUsage(SampleUsage()), 0u);
}

// --- unloading ----------------------------------------------------------------------------

TEST_F(PluginHostTest, UnloadShutsDownThenUnloads) {
  ASSERT_TRUE(LoadScripted("p", 0).ok());
  std::string path = host_.Info("p")->path;
  EXPECT_TRUE(IsMapped(path));
  ASSERT_TRUE(host_.Unload("p").ok());
  std::vector<std::string> lines = ReadLines(Marker("p"));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[lines.size() - 2], "shutdown");
  EXPECT_EQ(lines.back(), "unloaded");
  EXPECT_FALSE(IsMapped(path));
  EXPECT_FALSE(host_.Info("p").has_value());
  EXPECT_FALSE(host_.Unload("p").ok());
}

TEST(PluginHostLifetimeTest, DestroyingTheHostUnloadsEveryPlugin) {
  TempDir dir;
  std::vector<std::string> paths;
  {
    PluginHost host;
    for (const char* id : {"a", "b"}) {
      paths.push_back(CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir, std::string(id) + ".so"));
      PluginSettings settings;
      settings.config_yaml = Script({{"marker", dir.File(std::string(id) + ".marker")}});
      ASSERT_TRUE(host.Load(id, paths.back(), settings).ok());
    }
  }
  for (const char* id : {"a", "b"}) {
    std::vector<std::string> lines = ReadLines(dir.File(std::string(id) + ".marker"));
    ASSERT_GE(lines.size(), 2u) << id;
    EXPECT_EQ(lines[lines.size() - 2], "shutdown") << id;
    EXPECT_EQ(lines.back(), "unloaded") << id;
  }
  for (const std::string& path : paths) EXPECT_FALSE(IsMapped(path)) << path;
}

}  // namespace
}  // namespace cliproxy::host
