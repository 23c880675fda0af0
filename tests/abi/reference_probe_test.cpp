// The reference Go plugin's recorded answers (testdata/reference-probe.txt), replayed
// against scheduler.so line by line, in order, on one plugin instance (state carries over,
// as when the answers were recorded).
//
// The file gives each call's description, return code and exact reply. The table below
// rebuilds the input from each description (the YAML carries the keys named, then
// enabled/priority; picks offer candidates a, b, c unless the description or the recorded
// answer says otherwise). Comparison:
//   - pick answers and the other replies: byte for byte, return code included;
//   - the reference's `plugin_error` (undecodable input): ours is `invalid_request` or
//     `invalid_config` with our own message, the same return code, ok:false, and a message
//     that names what the reference names (byte offset, line, field);
//   - registrations: ours declares schema_version 1 and our own Version, Author,
//     GitHubRepository and Logo, and adds a `routes` field after the reference's three,
//     which must match the reference exactly;
//   - issue 10 (the one deliberate departure): a YAML configuration the reference refuses
//     after a good one (rc 1, plugin_error) is answered by ours with rc 0 and the
//     registration in force, because CLIProxyAPI drops a plugin whose reconfigure fails and
//     routes over every account with its built-in; the picks that follow show the earlier
//     configuration still in force, as the reference's do. With `fail_open: true` ours
//     refuses each of them as the reference does (checked after the replay). Bodies that
//     are not lifecycle requests at all (bad JSON, bad base64) are refused as before.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "scheduler_so.hpp"

namespace cliproxy::abi_test {
namespace {

// --- the recorded file -------------------------------------------------------------------

struct ProbeLine {
  std::string description;
  bool indented = false;  // a pick under the register line above it
  std::optional<int> rc;  // none for the "survived" line
  std::string reply;
};

std::vector<ProbeLine> ReadProbe() {
  std::ifstream in(std::string(CLIPROXY_TESTDATA_DIR) + "/reference-probe.txt");
  std::vector<ProbeLine> lines;
  static const std::regex kAnswer(R"(^( *)(.*?) +rc=(\d+) (.*)$)");
  static const std::regex kSurvived(R"(^( *)(.*?) +survived$)");
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty() || text[0] == '#') continue;
    std::smatch m;
    ProbeLine line;
    if (std::regex_match(text, m, kAnswer)) {
      line.rc = std::stoi(m[3]);
      line.reply = m[4];
    } else if (!std::regex_match(text, m, kSurvived)) {
      ADD_FAILURE() << "unreadable probe line: " << text;
      continue;
    }
    line.indented = !m[1].str().empty();
    line.description = m[2];
    lines.push_back(line);
  }
  return lines;
}

// --- the inputs ----------------------------------------------------------------------------

constexpr const char* kHostKeys = "enabled: true\npriority: 1\n";

struct ProbeInput {
  std::string description;
  const char* method = "scheduler.pick";  // nullptr: a NULL method
  std::optional<std::string> body;        // nullopt: (NULL, 0)
  bool empty_non_null = false;            // a non-NULL pointer with length 0
  bool free_buffer_only = false;          // free_buffer(NULL, 0), then nothing
  std::string our_code;                   // where the reference says plugin_error
  bool kept_by_issue_10 = false;          // see the header: ok for ours, unless fail_open
};

std::string Yaml(const std::string& keys) { return keys + kHostKeys; }

ProbeInput PickOf(std::string description, std::string body) {
  ProbeInput in;
  in.description = std::move(description);
  in.body = std::move(body);
  return in;
}
ProbeInput Pick(std::string description) {
  return PickOf(std::move(description), PickBody({"a", "b", "c"}));
}
ProbeInput Lifecycle(std::string description, std::string body, std::string our_code = "",
                     const char* method = "plugin.register") {
  ProbeInput in;
  in.description = std::move(description);
  in.method = method;
  in.body = std::move(body);
  in.our_code = std::move(our_code);
  return in;
}
ProbeInput Register(std::string description, const std::string& yaml, std::string our_code = "") {
  return Lifecycle(std::move(description), LifecycleBody(yaml), std::move(our_code));
}
ProbeInput Method(std::string description, const char* method) {
  ProbeInput in;
  in.description = std::move(description);
  in.method = method;
  in.body = "{}";
  return in;
}
ProbeInput Failing(ProbeInput in, std::string our_code) {
  in.our_code = std::move(our_code);
  return in;
}
// A configuration the reference refuses and ours, after a good one, does not (issue 10).
ProbeInput Kept(ProbeInput in) {
  in.kept_by_issue_10 = true;
  return in;
}

std::string Unpadded(std::string b64) {
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return b64;
}

std::string UrlSafe(std::string b64) {
  for (char& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return b64;
}

// A config whose standard base64 has its first '+' or '/' at byte 19, where the reference
// reported the URL-safe alphabet ("YXV0aF9pZDogYWFhYWE/..." -> "..._...").
const std::string kUrlSafeYaml = "auth_id: aaaaa?\n" + std::string(kHostKeys);

std::vector<ProbeInput> Inputs() {
  const std::string b = Yaml("auth_id: b\n");
  std::string bytes = "[";
  for (char c : b) bytes += std::to_string(static_cast<unsigned char>(c)) + ",";
  bytes.back() = ']';
  std::string b64 = Base64(b);
  std::string b64_lines;
  for (size_t i = 0; i < b64.size(); i += 8) b64_lines += b64.substr(i, 8) + "\\n";

  return {
      Pick("pick before any register"),
      Lifecycle("register: config_yaml null", R"({"config_yaml":null,"schema_version":3})"),
      Lifecycle("register: {}", "{}"),
      Lifecycle("register: body null", "null"),
      Lifecycle("register: body []", "[]", "invalid_request"),
      Lifecycle("register: extra fields",
                R"({"config_yaml":")" + b64 +
                    R"(","schema_version":3,"host":"cliproxy","extra":{"x":[1,2,{"y":null}]}})"),
      Pick("pick (auth_id b expected)"),
      Lifecycle("register: schema_version 99",
                R"({"config_yaml":")" + Base64(kHostKeys) + R"(","schema_version":99})"),
      // "priority: 1" is 11 bytes, so 15 base64 characters unpadded: Go stops at byte 12.
      Lifecycle("register: base64 without padding",
                R"({"config_yaml":")" + Unpadded(Base64("priority: 1")) + R"("})",
                "invalid_config"),
      Lifecycle("register: base64 with \\n inside", R"({"config_yaml":")" + b64_lines + R"("})"),
      Lifecycle("register: base64 url-safe alphabet",
                R"({"config_yaml":")" + UrlSafe(Base64(kUrlSafeYaml)) + R"("})", "invalid_config"),
      Lifecycle("register: base64 std alphabet (same yaml)",
                R"({"config_yaml":")" + Base64(kUrlSafeYaml) + R"("})"),
      Lifecycle("register: config_yaml as byte array", R"({"config_yaml":)" + bytes + "}"),
      Pick("pick"),
      Lifecycle("register: config_yaml as number", R"({"config_yaml":12345,"schema_version":3})",
                "invalid_config"),
      Lifecycle("register: trailing garbage", LifecycleBody(b) + "x", "invalid_request"),
      Lifecycle("register: Config_YAML key case", R"({"Config_YAML":")" + b64 + R"("})"),
      Pick("pick"),
      Register("register: host-style yaml with store map",
               "enabled: true\npriority: 1\nstore:\n  version: 0.1.0\n  release-tag: v0.1.0\n"
               "auth_id: b\n"),
      Pick("pick"),
      Register("register: yaml deny: yes", Yaml("deny: yes\n")),
      Pick("pick"),
      Kept(Register("register: yaml deny: \"true\" (string)", Yaml("deny: \"true\"\n"),
                    "invalid_config")),
      Kept(Register("register: yaml deny: 1", Yaml("deny: 1\n"), "invalid_config")),
      Register("register: yaml auth_id: 123 (int)", Yaml("auth_id: 123\n")),
      // The recorded answer picks "123", so this pick offered it as well.
      PickOf("pick", PickBody({"a", "b", "c", "123"})),
      Kept(
          Register("register: yaml auth_id: [b] (list)", Yaml("auth_id: [b]\n"), "invalid_config")),
      Kept(Register("register: yaml plain scalar document", "just a plain scalar",
                    "invalid_config")),
      Register("register: yaml ~", "~"),
      Pick("pick"),
      Register("register: yaml two documents (a then b)",
               Yaml("auth_id: a\n") + "---\n" + Yaml("auth_id: b\n")),
      Pick("pick"),
      Register("register: yaml Auth_ID key case", Yaml("Auth_ID: b\n")),
      Pick("pick"),
      Kept(Register("register: yaml duplicate key", Yaml("auth_id: a\nauth_id: b\n"),
                    "invalid_config")),
      Register("register: yaml delegate \" round-robin \"", Yaml("delegate: \" round-robin \"\n")),
      Pick("pick"),
      Register("register: yaml delegate ROUND-ROBIN", Yaml("delegate: ROUND-ROBIN\n")),
      Pick("pick"),
      Lifecycle("reconfigure: auth_id b", LifecycleBody(b), "", "plugin.reconfigure"),
      // No final newline: for an unclosed flow yaml-cpp names the line where the input
      // ends, yaml.v3 the line where the flow opened; here both are line 1.
      Kept(Lifecycle("reconfigure: invalid yaml", LifecycleBody("auth_id: ["), "invalid_config",
                     "plugin.reconfigure")),
      Pick("pick (was config kept?)"),
      PickOf("pick: lowercase keys", R"({"candidates":[{"id":"a"},{"id":"b"},{"id":"c"}]})"),
      PickOf("pick: duplicate Candidates key",
             R"({"Candidates":[{"ID":"a"},{"ID":"b"},{"ID":"c"}],"Candidates":[{"ID":"c"}]})"),
      Failing(PickOf("pick: Priority as string",
                     R"({"Candidates":[{"ID":"a"},{"ID":"b","Priority":"high"},{"ID":"c"}]})"),
              "invalid_request"),
      Failing(PickOf("pick: Priority 1.5",
                     R"({"Candidates":[{"ID":"a"},{"ID":"b","Priority":1.5},{"ID":"c"}]})"),
              "invalid_request"),
      Failing(PickOf("pick: ID as number", R"({"Candidates":[{"ID":"a"},{"ID":2},{"ID":"c"}]})"),
              "invalid_request"),
      PickOf("pick: ID via \\u0062 escape",
             R"({"Candidates":[{"ID":"a"},{"ID":"\u0062"},{"ID":"c"}]})"),
      PickOf("pick: ID \" b \" (spaces)", PickBody({"a", " b ", "c"})),
      PickOf("pick: unknown fields everywhere",
             R"({"Plugin":{"Name":"scheduler","Extra":1},"Provider":"codex","Unknown":[1,"x"],)"
             R"("Options":{"Headers":{"X-A":["1"]},"Metadata":{"k":"v"},"More":{}},)"
             R"("Candidates":[{"ID":"a","Weird":true},{"ID":"b","Nested":{"x":[null]}},)"
             R"({"ID":"c"}],"Trailer":null})"),
      PickOf("pick: body null", "null"),
      PickOf("pick: body {}", "{}"),
      Failing(PickOf("pick: body []", "[]"), "invalid_request"),
      [] {
        ProbeInput in;
        in.description = "pick: empty body (NULL, 0)";
        in.our_code = "invalid_request";
        return in;
      }(),
      [] {
        ProbeInput in;
        in.description = "pick: non-NULL body with len 0";
        in.body = "";
        in.empty_non_null = true;
        in.our_code = "invalid_request";
        return in;
      }(),
      Failing(PickOf("pick: trailing garbage", PickBody({"a", "b", "c"}) + "x"), "invalid_request"),
      PickOf("pick: invalid UTF-8 in ID", PickBody({"a\xFF", "b", "c"})),
      Method("method: plugin.shutdown", "plugin.shutdown"),
      Method("method: Scheduler.Pick", "Scheduler.Pick"),
      Method("method: empty string", ""),
      Method("method: <x>&y (HTML escaping)", "<x>&y"),
      Method("method: NULL", nullptr),
      [] {
        ProbeInput in;
        in.description = "free_buffer(NULL, 0)";
        in.free_buffer_only = true;
        return in;
      }(),
  };
}

// --- comparison ------------------------------------------------------------------------------

std::string Compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::vector<std::string> Keys(const rapidjson::Value& object) {
  std::vector<std::string> keys;
  for (const auto& m : object.GetObject()) keys.emplace_back(m.name.GetString());
  return keys;
}

bool IsRegistration(const std::string& reply) {
  return reply.rfind(R"({"ok":true,"result":{"schema_version":)", 0) == 0;
}

// The documented differences of our registration; everything else must be the reference's.
void ExpectOurRegistration(const std::string& ours, const std::string& reference) {
  rapidjson::Document o;
  rapidjson::Document r;
  o.Parse(ours.c_str());
  r.Parse(reference.c_str());
  ASSERT_FALSE(o.HasParseError()) << ours;
  ASSERT_FALSE(r.HasParseError()) << reference;
  EXPECT_EQ(Keys(o), Keys(r));
  const rapidjson::Value& oreg = o["result"];
  const rapidjson::Value& rreg = r["result"];
  EXPECT_EQ(Keys(oreg), Keys(rreg));  // schema_version, metadata, capabilities
  EXPECT_EQ(oreg["schema_version"].GetInt(), 1);
  // One documented difference: management_api, the status page (docs/status.md), which
  // `status_page: false` turns off. Everything else is the reference's.
  EXPECT_EQ(Compact(oreg["capabilities"]), R"({"scheduler":true,"management_api":true})");
  rapidjson::Document without;
  without.CopyFrom(oreg["capabilities"], without.GetAllocator());
  without.RemoveMember("management_api");
  EXPECT_EQ(Compact(without), Compact(rreg["capabilities"]));

  const rapidjson::Value& om = oreg["metadata"];
  const rapidjson::Value& rm = rreg["metadata"];
  EXPECT_EQ(Keys(om), Keys(rm));  // Name, Version, Author, GitHubRepository, Logo, ConfigFields
  EXPECT_EQ(Compact(om["Name"]), Compact(rm["Name"]));
  EXPECT_EQ(std::string(om["Version"].GetString()), CLIPROXY_PROJECT_VERSION);
  EXPECT_NE(std::string(om["Author"].GetString()), "");
  EXPECT_NE(std::string(om["GitHubRepository"].GetString()), "");
  EXPECT_TRUE(om["Logo"].IsString());

  const rapidjson::Value& of = om["ConfigFields"];
  const rapidjson::Value& rf = rm["ConfigFields"];
  ASSERT_TRUE(of.IsArray());
  ASSERT_EQ(rf.Size(), 3u);
  ASSERT_EQ(of.Size(), 4u);
  for (rapidjson::SizeType i = 0; i < 3; ++i) {
    EXPECT_EQ(Compact(of[i]), Compact(rf[i])) << "ConfigFields[" << i << "]";
    // Byte for byte, as encoded, not only as parsed.
    EXPECT_NE(ours.find(Compact(rf[i])), std::string::npos) << Compact(rf[i]);
  }
  EXPECT_EQ(std::string(of[3]["Name"].GetString()), "routes");
  EXPECT_EQ(std::string(of[3]["Type"].GetString()), "array");
  EXPECT_EQ(Keys(of[3]), Keys(rf[0]));
}

// What the reference's message names, which ours must name too.
std::vector<std::string> NamedProblems(const std::string& reference_message) {
  std::vector<std::string> parts;
  std::smatch m;
  if (std::regex_search(reference_message, m,
                        std::regex(R"(illegal base64 data at input byte \d+)"))) {
    parts.push_back(m[0]);
  }
  static const std::regex kLine(R"(line \d+)");
  for (auto it = std::sregex_iterator(reference_message.begin(), reference_message.end(), kLine);
       it != std::sregex_iterator(); ++it) {
    parts.push_back(it->str());
  }
  if (std::regex_search(reference_message, m,
                        std::regex(R"(Go struct field [\w.]*?(\w+) of type)"))) {
    parts.push_back(m[1]);
  }
  if (std::regex_search(reference_message, m,
                        std::regex(R"(cannot unmarshal (\w+) into Go value)"))) {
    parts.push_back("cannot unmarshal " + m[1].str());
  }
  if (std::regex_search(reference_message, m,
                        std::regex(R"(mapping key \\"\w+\\" already defined)"))) {
    parts.push_back(std::regex_replace(m[0].str(), std::regex(R"(\\")"), "\""));
  }
  if (reference_message.find("unexpected end of JSON input") != std::string::npos) {
    parts.push_back("unexpected end of JSON input");
  }
  if (reference_message.find("invalid character") != std::string::npos) {
    parts.push_back("invalid JSON");
  }
  if (reference_message.find("into main.pluginConfig") != std::string::npos) {
    parts.push_back("mapping");
  }
  if (reference_message.find("into bool") != std::string::npos) parts.push_back("boolean");
  if (reference_message.find("!!seq into string") != std::string::npos) parts.push_back("sequence");
  if (reference_message.find("did not find expected node content") != std::string::npos) {
    parts.push_back("invalid YAML");
  }
  return parts;
}

void ExpectOurError(const Reply& ours, const ProbeLine& reference, const std::string& our_code) {
  Envelope env = ReadEnvelope(ours.body);
  Envelope ref = ReadEnvelope(reference.reply);
  ASSERT_TRUE(ref.valid) << reference.reply;
  ASSERT_EQ(ref.code, "plugin_error");
  EXPECT_EQ(ours.rc, *reference.rc);
  EXPECT_FALSE(env.ok) << ours.body;
  EXPECT_EQ(env.code, our_code) << ours.body;
  std::vector<std::string> named = NamedProblems(reference.reply);
  EXPECT_FALSE(named.empty()) << "nothing recognised in " << reference.reply;
  for (const std::string& part : named) {
    EXPECT_NE(env.message.find(part), std::string::npos)
        << "the reference names \"" << part << "\", ours says: " << env.message;
  }
}

TEST(ReferenceProbe, EveryRecordedAnswerIsReproducedOrDiffersOnlyAsDocumented) {
  std::vector<ProbeLine> probe = ReadProbe();
  std::vector<ProbeInput> inputs = Inputs();
  ASSERT_EQ(probe.size(), inputs.size()) << "the table and the probe file disagree";
  SchedulerSo so;
  int exact = 0;
  int registrations = 0;
  int errors = 0;
  std::string last_registration;  // the reference's, to compare a kept one's with
  std::vector<size_t> kept;
  for (size_t i = 0; i < probe.size(); ++i) {
    const ProbeLine& line = probe[i];
    const ProbeInput& input = inputs[i];
    SCOPED_TRACE("probe line " + std::to_string(i + 1) + ": " + line.description);
    ASSERT_EQ(line.description, input.description);
    if (input.free_buffer_only) {
      ASSERT_FALSE(line.rc.has_value());
      so.api().free_buffer(nullptr, 0);
      EXPECT_EQ(so.Pick("{}").rc, 0);  // survived, and still serving
      continue;
    }
    ASSERT_TRUE(line.rc.has_value());
    Reply ours;
    if (input.empty_non_null) {
      static const char kSomething[] = "{}";
      ours = so.CallRaw(input.method, kSomething, 0);
    } else {
      ours = so.Call(input.method, input.body);
    }
    Envelope env = ReadEnvelope(ours.body);
    EXPECT_TRUE(env.valid) << env.problem << ": " << ours.body;
    if (IsRegistration(line.reply)) last_registration = line.reply;
    if (input.kept_by_issue_10) {
      // Issue 10: answered ok with the registration in force; the next picks show which.
      EXPECT_EQ(ours.rc, 0) << ours.body;
      ASSERT_FALSE(last_registration.empty());
      ExpectOurRegistration(ours.body, last_registration);
      kept.push_back(i);
    } else if (!input.our_code.empty()) {
      ExpectOurError(ours, line, input.our_code);
      ++errors;
    } else if (IsRegistration(line.reply)) {
      EXPECT_EQ(ours.rc, *line.rc);
      ExpectOurRegistration(ours.body, line.reply);
      ++registrations;
    } else {
      EXPECT_EQ(ours.rc, *line.rc);
      EXPECT_EQ(ours.body, line.reply);
      ++exact;
    }
  }
  // The file as recorded: every kind of line was seen.
  EXPECT_GT(exact, 25);
  EXPECT_GT(registrations, 15);
  EXPECT_GT(errors, 5);
  EXPECT_EQ(kept.size(), 6u);

  // Issue 10, the other half: once the configuration in force says `fail_open: true` (none
  // of the kept bodies can say otherwise: they do not parse, are no mapping, or lack the
  // key), each kept body is refused exactly as the reference refused it.
  Reply fail_open = so.Register(LifecycleBody("fail_open: true\n"));
  ASSERT_EQ(fail_open.rc, 0) << fail_open.body;
  for (size_t i : kept) {
    SCOPED_TRACE("with fail_open, probe line " + std::to_string(i + 1) + ": " +
                 probe[i].description);
    ExpectOurError(so.Call(inputs[i].method, inputs[i].body), probe[i], inputs[i].our_code);
  }
}

}  // namespace
}  // namespace cliproxy::abi_test
