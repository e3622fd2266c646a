#include "mpaio-test-workers.h"
