// The x07-os-runner executable (the runner itself lives in runner/, a library that the
// x07 facade links too).
#include "runner/runner_main.hpp"

int main(int argc, char** argv) { return x07::runner::runner_main(argc, argv); }
