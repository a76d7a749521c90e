#include <iostream>
int main() { std::cout << "nabla " << NABLA_VERSION << "\n"; }
