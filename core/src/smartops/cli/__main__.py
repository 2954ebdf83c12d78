from smartops.cli import main

main()
