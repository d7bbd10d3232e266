import 'reflect-metadata';
import { container, type DependencyContainer } from 'tsyringe';

/**
 * A fresh root container for one node. It is a child of tsyringe's global container only so
 * that nothing ever registers into the global one: two nodes in one process (tests) never share
 * a registration.
 */
export function createRootContainer(): DependencyContainer {
  return container.createChildContainer();
}
