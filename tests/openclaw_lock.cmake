# Included by ctest after the discovered tests are defined: the tests that start a real OpenClaw
# gateway (~1 GB, both cores for ~15 s) never run at the same time as each other.
set_tests_properties(
  LocalSupervisorTest.OpenClawGatewayRunsWhenInstalled
  OpenClawEndToEnd.CreateRunExecReadProxyRestartDelete
  PROPERTIES RESOURCE_LOCK openclaw)
