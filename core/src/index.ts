import 'reflect-metadata';

export * from './api';
