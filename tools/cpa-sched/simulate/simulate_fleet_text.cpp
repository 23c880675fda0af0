#include "simulate/simulate_fleet_text.hpp"

#include <algorithm>
#include <cmath>

#include "simulate/simulate_text.hpp"
#include "simulate/simulate_time.hpp"

namespace cpa_sched {
namespace {

using Row = std::vector<std::string>;

// "250ms", "2s", "1.5s": intervals are configured in milliseconds.
std::string IntervalText(int64_t ns) {
  const int64_t ms = ns / 1'000'000;
  if (ms < 1000) return std::to_string(ms) + "ms";
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s"
                        : Fixed(static_cast<double>(ms) / 1000, 3) + "s";
}

int64_t Highest(const Spread& s) { return static_cast<int64_t>(std::ceil(s.mean + s.jitter)); }

std::string Times(int64_t spent, int64_t limit) {
  return limit > 0 ? Fixed(static_cast<double>(spent) / static_cast<double>(limit), 2) + "x" : "-";
}

int64_t OverLimit(const SimulationResult& r, const FleetBudget& budget) {
  int64_t over = 0;
  for (const AccountResult& a : r.accounts)
    over += std::max<int64_t>(0, Spent(a, budget) - budget.limit);
  return over;
}

void PrintBound(std::ostream& out, const Scenario& scenario, const FleetSetup& setup,
                const FleetRun& redis) {
  const FleetBudget& budget = *setup.config.budget;
  const int64_t cost = LargestRequestCost(scenario, budget);
  const int64_t a = redis.result.busiest_exchange;
  const int64_t bound = StatedBound(budget, a, setup.instances, cost);
  out << "bound: with redis an account spends at most limit + (A + N) x C = " << budget.limit
      << " + (" << a << " + " << setup.instances << ") x " << cost << " = " << bound << "\n";
  out << "  (docs/state.md: what the other instances admitted within the staleness, here one "
         "exchange interval: A = "
      << a << " requests at most; one request per instance: N = " << setup.instances
      << "; C = the largest request, " << cost << " " << budget.measure << ")\n";
  int64_t largest = 0;
  std::string largest_id = "-";
  for (size_t i = 0; i < scenario.accounts.size(); ++i) {
    const int64_t spent = Spent(redis.result.accounts[i], budget);
    if (spent > largest) {
      largest = spent;
      largest_id = scenario.accounts[i].id;
    }
  }
  out << "  redis run: " << (largest <= bound ? "within the bound" : "OVER the bound")
      << " (most spent: " << largest_id << " " << largest << ")\n";
}

}  // namespace

int64_t LargestRequestCost(const Scenario& scenario, const FleetBudget& budget) {
  if (budget.measure == "requests") return 1;
  int64_t largest = 1;
  for (const ScenarioModel& m : scenario.traffic.models) {
    largest =
        std::max(largest, Highest(m.input_tokens.value_or(scenario.usage.input_tokens)) +
                              Highest(m.output_tokens.value_or(scenario.usage.output_tokens)));
  }
  return largest;
}

int64_t Spent(const AccountResult& account, const FleetBudget& budget) {
  return budget.measure == "requests" ? account.picks : account.tokens_total;
}

int64_t StatedBound(const FleetBudget& budget, int64_t busiest_exchange, int instances,
                    int64_t largest_cost) {
  return budget.limit + (busiest_exchange + instances) * largest_cost;
}

void PrintFleetComparison(std::ostream& out, const Scenario& scenario, const FleetSetup& setup,
                          const std::vector<FleetRun>& runs) {
  const SimulationResult& first = runs.front().result;
  out << "fleet: " << Plural(setup.instances, "instance") << " of " << setup.plugin_id << " ("
      << setup.plugin_path << "; each its own copy), balancer " << BalanceName(setup.balance)
      << "\n";
  out << "scenario: " << scenario.name << " (" << scenario.path << "), seed " << first.seed << ", "
      << Plural(first.requests, "request") << " over " << FormatSimTime(first.duration_ns)
      << " simulated, dated to end now (the Redis store's buckets follow the wall clock)\n";
  const std::optional<FleetBudget>& budget = setup.config.budget;
  if (budget) {
    out << "budget: route " << budget->route << ": least-used limit " << budget->limit << " "
        << budget->measure << " per account"
        << (budget->window.empty() ? "" : " (window " + budget->window + ")") << "\n";
  } else {
    out << "budget: none (no least-used route with a usage.limit): spending is shown, not "
           "compared with a limit\n";
  }
  out << "state: the configuration's store (" << setup.config.store
      << ") is replaced by each compared store\n";
  out << "redis: " << setup.redis << ", key prefix " << setup.prefix << "\n";
  out << "exchange: every " << IntervalText(setup.config.interval_ns)
      << " of simulated time each instance in turn calls scheduler.state.sync (one full "
         "exchange with Redis); nothing sleeps\n";

  Row header = {""};
  for (const FleetRun& run : runs) header.push_back(run.store);
  std::vector<Row> rows = {header};
  auto add = [&](const std::string& label, auto cell) {
    Row row = {label};
    for (const FleetRun& run : runs) row.push_back(cell(run));
    rows.push_back(std::move(row));
  };
  add("requests served", [](const FleetRun& r) { return std::to_string(r.result.served); });
  add("requests failed", [](const FleetRun& r) { return std::to_string(r.result.failed); });
  if (budget) {
    const FleetBudget& b = *budget;
    add(b.measure + " spent", [&](const FleetRun& r) {
      int64_t total = 0;
      for (const AccountResult& a : r.result.accounts) total += Spent(a, b);
      return std::to_string(total);
    });
    add("over the limit",
        [&](const FleetRun& r) { return std::to_string(OverLimit(r.result, b)); });
  } else {
    add("tokens spent", [](const FleetRun& r) {
      int64_t total = 0;
      for (const AccountResult& a : r.result.accounts) total += a.tokens_total;
      return std::to_string(total);
    });
  }
  add("sessions moved", [](const FleetRun& r) { return std::to_string(r.result.sessions.moves); });
  add("exchanges (not synced)", [](const FleetRun& r) {
    return r.exchanges == 0 ? std::string("-")
                            : std::to_string(r.exchanges) + " (" + std::to_string(r.unsynced) + ")";
  });
  for (size_t i = 0; i < scenario.accounts.size(); ++i) {
    const std::string& id = scenario.accounts[i].id;
    if (budget) {
      add(id, [&](const FleetRun& r) {
        const int64_t spent = Spent(r.result.accounts[i], *budget);
        return std::to_string(spent) + " (" + Times(spent, budget->limit) + ")";
      });
    } else {
      add(id,
          [&](const FleetRun& r) { return std::to_string(r.result.accounts[i].picks) + " picks"; });
    }
  }
  for (int i = 0; i < setup.instances; ++i) {
    add("instance " + std::to_string(i + 1) + " served/failed", [&](const FleetRun& r) {
      const InstanceResult& in = r.result.instances[static_cast<size_t>(i)];
      return std::to_string(in.served) + "/" + std::to_string(in.failed);
    });
  }
  std::string align(runs.size() + 1, 'r');
  align[0] = 'l';
  PrintTable(out, rows, align);

  for (const FleetRun& run : runs) {
    if (run.unsynced == 0) continue;
    out << "warning: " << run.unsynced << " of " << run.exchanges * setup.instances
        << " scheduler.state.sync calls did not complete with the " << run.store
        << " store (Redis unreachable or refusing: see the log; after 3 failed rounds in a row "
           "the calls stop): its instances shared "
           "less than the model assumes\n";
  }
  if (budget) {
    for (const FleetRun& run : runs) {
      if (run.store == "redis") PrintBound(out, scenario, setup, run);
    }
  }
  for (const FleetRun& run : runs) {
    if (run.result.logs.empty()) continue;
    out << "log (" << run.store << ", all instances):\n";
    rows.clear();
    for (const LogCount& l : run.result.logs) {
      rows.push_back({std::string(cliproxy::host::LogLevelName(l.level)),
                      std::to_string(l.count) + "x", l.message});
    }
    PrintTable(out, rows, "lrl");
  }
}

}  // namespace cpa_sched
