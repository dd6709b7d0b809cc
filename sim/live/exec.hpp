// Runs the real tools (ip, iptables-restore, nft, sysctl) as child processes: argv, optional
// stdin, captured stdout/stderr, exit status. Never through a shell: nothing of the user's
// config is ever executed, only commands kpath builds from the parsed HostConfig.
#pragma once
#include <string>
#include <vector>

namespace kpath::live {

struct ExecResult {
  int status = -1;         // exit status; 128+N when killed by signal N; -1 when it could not start
  std::string out, err;
  bool ok() const { return status == 0; }
};

// Waits for the child (killing it after timeout_ms); a signal recorded meanwhile is re-checked
// after the child is reaped (check_interrupted throws then).
ExecResult run(const std::vector<std::string>& argv, const std::string& input = {}, int timeout_ms = 30000);

// run(), throwing std::runtime_error with the command and its stderr when it fails.
ExecResult run_checked(const std::vector<std::string>& argv, const std::string& input = {});

// {"ip", "netns", "exec", ns, argv...}
std::vector<std::string> in_netns(const std::string& ns, std::vector<std::string> argv);

// The command as a shell would show it (for messages and --keep transcripts).
std::string argv_text(const std::vector<std::string>& argv);

// True when `prog` is found on PATH.
bool have_program(const std::string& prog);

}  // namespace kpath::live
