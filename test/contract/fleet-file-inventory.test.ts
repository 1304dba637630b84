import { clusterInventoryContract, fleetFileInventoryHarness } from './cluster-inventory.contract.js';

clusterInventoryContract('FleetFileInventory (temporary fleet files)', fleetFileInventoryHarness);
