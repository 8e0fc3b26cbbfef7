#include "cli/commands.h"

int main(int argc, char** argv) {
    return pinfold::cli::Main(argc, argv);
}
