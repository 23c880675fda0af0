// The one exported symbol of scheduler.so.
#include "cliproxy/plugin.hpp"
#include "scheduler/scheduler_plugin.hpp"

CLIPROXY_PLUGIN(cliproxy::scheduler::SchedulerPlugin)
